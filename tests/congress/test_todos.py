"""To-dos: in scope they count, out of scope they count nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from gongjiang.congress.todos import congress_todos

from .helpers import assigned, submitted

pytestmark = pytest.mark.django_db


def counts(user: Any) -> dict[str, int | None]:
    with translation.override("en"):
        return {str(t.label): t.count for t in congress_todos(user)}


def test_todos(world: Any, congress: Any) -> None:
    submitted(congress, 0)
    assigned(congress, 1)
    assert counts(congress.committee)["Proposals for the committee"] == 1
    assert counts(congress.committee_b)["Proposals for the committee"] == 0
    assert counts(congress.responder)["Proposal replies due"] == 1
    assert "Proposal replies due" not in counts(world.bob)
    assert counts(world.nobody) == {}
