"""Property test of scoped access: over random organisation forests and random role assignments,
``visible_to`` returns exactly the rows inside the subtrees the user's roles cover.

The expected sets are computed independently, by walking parent links in Python (no paths)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjiang.core import access
from gongjiang.core.models import ALLOWED_CHILDREN, AuditEvent, Job, Membership, Organization
from tests.factories import OrganizationFactory, UserFactory

ROLES = ["admin", "officer", "trainer", "judge", "inspector", "worker"]
# The specification of the core permissions (independent of access.py's registry).
ROLES_FOR = {
    "core.view_organization": set(ROLES),
    "core.view_membership": {"admin", "officer"},
    "core.view_auditevent": {"admin"},
    "core.view_job": set(ROLES),
}
# A role held in a government department (kind "department": a ministry's liaison) carries only
# these of the core permissions.
DEPARTMENT_PERMS = {"core.view_organization", "core.view_job"}
NESTABLE = ["industry", "enterprise", "team", "department", "city", "county", "provincial"]


@st.composite
def forests(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(min_value=2, max_value=25))
    parents: list[int | None] = [None]
    kinds = ["national"]
    for i in range(1, n):
        if draw(st.integers(0, 9)) == 0:  # now and then a second root
            parents.append(None)
            kinds.append("provincial")
            continue
        p = draw(st.integers(0, i - 1))
        allowed = sorted(k for k in ALLOWED_CHILDREN[kinds[p]] if k in NESTABLE)
        parents.append(p)
        kinds.append(draw(st.sampled_from(allowed)))
    n_users = draw(st.integers(1, 4))
    memberships = draw(
        st.lists(
            st.tuples(st.integers(0, n_users - 1), st.integers(0, n - 1), st.sampled_from(ROLES)),
            max_size=8,
            unique=True,
        )
    )
    inactive = draw(st.lists(st.integers(0, n - 1), max_size=2, unique=True))
    audit_orgs = draw(st.lists(st.one_of(st.none(), st.integers(0, n - 1)), max_size=6))
    job_orgs = draw(st.lists(st.integers(0, n - 1), max_size=3))
    superuser = draw(st.integers(-1, n_users - 1))  # -1: nobody is superuser
    return {
        "parents": parents,
        "kinds": kinds,
        "n_users": n_users,
        "memberships": memberships,
        "inactive": inactive,
        "audit_orgs": audit_orgs,
        "job_orgs": job_orgs,
        "superuser": superuser,
    }


def _ancestors_or_self(i: int, parents: list[int | None]) -> list[int]:
    out = []
    node: int | None = i
    while node is not None:
        out.append(node)
        node = parents[node]
    return out


def _build_and_check(spec: dict[str, Any]) -> None:
    parents, kinds = spec["parents"], spec["kinds"]
    nodes: list[Organization] = []
    for i, (p, kind) in enumerate(zip(parents, kinds, strict=True)):
        nodes.append(
            OrganizationFactory(parent=nodes[p] if p is not None else None, kind=kind, name=f"n{i}")
        )
    # deactivate whole subtrees (as the service does), computed by walking parents
    inactive_nodes = {
        i for i in range(len(nodes)) if set(_ancestors_or_self(i, parents)) & set(spec["inactive"])
    }
    Organization.objects.filter(pk__in=[nodes[i].pk for i in inactive_nodes]).update(
        is_active=False
    )

    users = [UserFactory() for _ in range(spec["n_users"])]
    if spec["superuser"] >= 0:
        users[spec["superuser"]].is_superuser = True
        users[spec["superuser"]].save()
    membership_objs = {}
    for u, node, role in spec["memberships"]:
        membership_objs[(u, node, role)] = Membership.objects.create(
            user=users[u], organization=nodes[node], role=role
        )
    audit_objs = [
        (
            None if o is None else o,
            AuditEvent.objects.create(action="test", organization=None if o is None else nodes[o]),
        )
        for o in spec["audit_orgs"]
    ]
    job_objs = [
        (o, Job.objects.create(kind="test", organization=nodes[o])) for o in spec["job_orgs"]
    ]

    def covered(u: int, perm: str) -> set[int] | None:
        """Node indices user u may see with perm (None: everything)."""
        if u == spec["superuser"]:
            return None
        roots = {
            node
            for (uu, node, role) in spec["memberships"]
            if uu == u
            and role in ROLES_FOR[perm]
            and node not in inactive_nodes
            and (kinds[node] != "department" or perm in DEPARTMENT_PERMS)
        }
        return {i for i in range(len(nodes)) if set(_ancestors_or_self(i, parents)) & roots}

    from django.contrib.auth import get_user_model

    for u in range(len(users)):
        user = get_user_model().objects.get(pk=users[u].pk)  # fresh: no cached memberships
        cov = covered(u, "core.view_organization")
        expected = {n.pk for n in nodes} if cov is None else {nodes[i].pk for i in cov}
        got = set(Organization.objects.visible_to(user).values_list("pk", flat=True))
        assert got == expected, f"organizations of user {u}"
        for i, node in enumerate(nodes):
            assert access.can(user, "core.view_organization", node) == (node.pk in expected), (u, i)

        cov = covered(u, "core.view_membership")
        expected = {
            m.pk for (uu, node, role), m in membership_objs.items() if cov is None or node in cov
        }
        got = set(Membership.objects.visible_to(user).values_list("pk", flat=True))
        assert got == expected, f"memberships of user {u}"

        cov = covered(u, "core.view_auditevent")
        expected = {e.pk for o, e in audit_objs if cov is None or (o is not None and o in cov)}
        got = set(AuditEvent.objects.visible_to(user).values_list("pk", flat=True))
        assert got == expected, f"audit events of user {u}"

        cov = covered(u, "core.view_job")
        expected = {j.pk for o, j in job_objs if cov is None or o in cov}
        got = set(Job.objects.visible_to(user).values_list("pk", flat=True))
        assert got == expected, f"jobs of user {u}"

    # anonymous sees nothing
    from django.contrib.auth.models import AnonymousUser

    assert not Organization.objects.visible_to(AnonymousUser()).exists()
    assert not Membership.objects.visible_to(None).exists()


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=forests())
def test_visible_to_is_exactly_the_covered_subtrees(spec: dict[str, Any]) -> None:
    with transaction.atomic():
        try:
            _build_and_check(spec)
        finally:
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_paths_of_deep_and_wide_trees_do_not_collide() -> None:
    """Sibling ids whose base-36 segments share a prefix must not see each other's subtrees."""
    root = OrganizationFactory(kind="national")
    kids = [OrganizationFactory(parent=root, kind="industry") for _ in range(3)]
    for kid in kids:
        assert (
            kid.path.startswith(root.path)
            and len(kid.path) == len(root.path) + Organization.SEGMENT
        )
        others = set(
            Organization.objects.filter(path__startswith=kid.path).values_list("pk", flat=True)
        )
        assert others == {kid.pk}
