"""A browser test (transactional) flushes every table when it ends, reference data included; a
database test that runs after it in the same process would find no regions. Load them back (the
loader is idempotent; one cheap query when they are present)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _reference_data(request: Any) -> None:
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names or "db" not in names:
        return
    request.getfixturevalue("db")
    from gongjiang.core.models import Region

    if not Region.objects.exists():
        from gongjiang.core.refdata import load_reference_data

        load_reference_data()
