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


def test_responder_is_read_once_per_home_page(client: Any, world: Any, congress: Any) -> None:
    """The menu and the to-dos both ask whether the user answers for a department: one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    assigned(congress, 0)
    client.force_login(congress.responder)
    client.get(reverse("core:home"))
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("core:home")).content.decode()
    asked = [
        q["sql"]
        for q in queries.captured_queries
        if "congress_department_responders" in q["sql"] and "congress_proposal" not in q["sql"]
    ]
    assert len(asked) == 1
    assert reverse("congress:proposal_list") + "?status=assigned" in html
