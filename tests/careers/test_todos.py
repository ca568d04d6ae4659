from __future__ import annotations

from typing import Any

import pytest

from gongjiang.careers import services
from gongjiang.careers.todos import careers_todos

pytestmark = pytest.mark.django_db


def test_todo_counts_applications_the_user_may_decide(
    client: Any, world: Any, careers: Any
) -> None:
    services.bridge_application_submit(
        actor=careers.hr_a, worker=careers.welder, target="intermediate"
    )
    assert [t.count for t in careers_todos(careers.hr_a2)] == [1]
    assert [t.count for t in careers_todos(careers.hr_a)] == [0]  # filed it: not theirs to decide
    assert [t.count for t in careers_todos(careers.hr_b)] == [0]  # another province
    assert careers_todos(world.worker_a) == []
    assert careers_todos(world.enterprise_officer_a) == []  # officers follow, HR decides
    # the link lists exactly what is counted
    client.force_login(careers.hr_a2)
    todo = careers_todos(careers.hr_a2)[0]
    html = client.get(todo.url).content.decode()
    assert html.count("/careers/applications/") == 1
