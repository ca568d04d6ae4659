"""Sessions, sign-in, votes: quorum and majority over ALL delegates (Hypothesis), one ballot per
delegate, and no delegate↔choice link in a secret vote (the tables inspected)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjiang.congress import services
from gongjiang.congress.models import (
    Delegate,
    OpenBallot,
    SecretParticipation,
    SecretTally,
    Session,
)
from gongjiang.congress.selectors import vote_result
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import AuditEvent, Membership

pytestmark = pytest.mark.django_db


def logins_for_all(congress: Any) -> list[Any]:
    """A login for every delegate (bulk: no password hashing)."""
    User = get_user_model()  # noqa: N806
    missing = [d for d in congress.delegates if d.worker.user_id is None]
    users = User.objects.bulk_create([User(username=f"d{d.worker.pk}") for d in missing])
    for d, u in zip(missing, users, strict=True):
        d.worker.user = u
        d.worker.save(update_fields=["user"])
    Membership.objects.bulk_create(
        [Membership(user=u, organization=congress.term.organization, role="worker") for u in users]
    )
    return [d.worker.user for d in congress.delegates]


def open_session(world: Any, congress: Any, number: int) -> Session:
    session = services.session_create(
        actor=world.enterprise_officer_a,
        term=congress.term,
        number=number,
        title=f"第{number}次会议",
        held_on=congress.session.held_on,
    )
    return services.session_set_status(
        actor=world.enterprise_officer_a, session=session, status="open"
    )


_numbers = iter(range(100, 10**6))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_quorum_and_majority_over_all_delegates(world: Any, congress: Any, data: Any) -> None:
    users = logins_for_all(congress)
    officer = world.enterprise_officer_a
    with transaction.atomic():
        serving = data.draw(st.integers(3, 30), label="serving")
        # the seats past `serving` have ended (replaced/left): they are not delegates any more
        Delegate.objects.filter(pk__in=[d.pk for d in congress.delegates[serving:]]).update(
            active=False
        )
        present = data.draw(st.lists(st.integers(0, 29), unique=True, max_size=30), label="present")
        secret = data.draw(st.booleans(), label="secret")
        session = open_session(world, congress, next(_numbers))
        signed = []
        for i in present:
            d = congress.delegates[i]
            if i < serving:
                services.sign_in(actor=officer, session=session, delegate=d)
                signed.append(i)
            else:  # an ended seat cannot sign in
                with pytest.raises(Http404):
                    services.sign_in(actor=officer, session=session, delegate=d)
        vote = services.vote_create(
            actor=officer, session=session, title="工资集体协议", secret=secret
        )
        services.vote_open(actor=officer, vote=vote)
        choices = {}
        for i in signed:
            choice = data.draw(st.sampled_from(["for", "against", "abstain", None]), label=f"c{i}")
            if choice:
                services.ballot_cast(actor=users[i], vote=vote, choice=choice)
                choices[i] = choice
        services.vote_close(actor=officer, vote=vote)
        result = vote_result(vote)
        n_for = sum(1 for c in choices.values() if c == "for")
        assert result["delegates"] == serving
        assert result["present"] == len(signed)
        assert result["for"] == n_for
        assert result["against"] == sum(1 for c in choices.values() if c == "against")
        assert result["abstain"] == sum(1 for c in choices.values() if c == "abstain")
        assert result["quorate"] == (3 * len(signed) >= 2 * serving)
        assert result["passed"] == (result["quorate"] and 2 * n_for > serving)
        assert result["secret"] is secret
        transaction.set_rollback(True)


def test_one_ballot_per_delegate_and_no_link_in_secret_votes(world: Any, congress: Any) -> None:
    officer = world.enterprise_officer_a
    session = congress.session
    services.session_set_status(actor=officer, session=session, status="open")
    voters = congress.users[:5]
    for d in congress.delegates[:5]:
        services.sign_in(actor=officer, session=session, delegate=d)
    secret = services.vote_create(actor=officer, session=session, title="选举", secret=True)
    with pytest.raises(ConflictError):  # not open yet
        services.ballot_cast(actor=voters[0], vote=secret, choice="for")
    services.vote_open(actor=officer, vote=secret)
    for user, choice in zip(voters, ["for", "for", "against", "abstain", "for"], strict=True):
        services.ballot_cast(actor=user, vote=secret, choice=choice)
    with pytest.raises(ConflictError) as exc:
        services.ballot_cast(actor=voters[0], vote=secret, choice="against")
    assert exc.value.code == "already_voted"
    with pytest.raises(ApplicationError):
        services.ballot_cast(actor=voters[1], vote=secret, choice="maybe")
    # a delegate who did not sign in cannot vote
    with pytest.raises(ConflictError) as exc:
        services.ballot_cast(actor=congress.users[5], vote=secret, choice="for")
    assert exc.value.code == "not_signed_in"

    # the tables: participations name delegates and nothing else; the tally has no delegate
    def columns(model: Any) -> set[str]:
        with connection.cursor() as cursor:
            desc = connection.introspection.get_table_description(cursor, model._meta.db_table)
        return {c.name for c in desc}

    assert columns(SecretParticipation) == {"id", "vote_id", "delegate_id"}
    assert columns(SecretTally) == {"id", "vote_id", "choice", "count"}
    assert SecretParticipation.objects.filter(vote=secret).count() == 5
    assert dict(SecretTally.objects.filter(vote=secret).values_list("choice", "count")) == {
        "for": 3,
        "against": 1,
        "abstain": 1,
    }
    assert not OpenBallot.objects.filter(vote=secret).exists()
    ballots = AuditEvent.objects.filter(action="congress.ballot", object_code=secret.code)
    assert ballots.count() == 5 and all("choice" not in a.details for a in ballots)
    # no column anywhere in the database holds a secret choice next to a delegate
    for model in (SecretParticipation, SecretTally):
        cols = columns(model)
        assert not ({"choice", "delegate_id"} <= cols)

    # an open vote names each voter's choice, still one ballot each
    open_vote = services.vote_create(actor=officer, session=session, title="决议", secret=False)
    services.vote_open(actor=officer, vote=open_vote)
    services.ballot_cast(actor=voters[0], vote=open_vote, choice="for")
    with pytest.raises(ConflictError):
        services.ballot_cast(actor=voters[0], vote=open_vote, choice="for")
    assert OpenBallot.objects.get(vote=open_vote).delegate == congress.delegates[0]
    services.vote_close(actor=officer, vote=open_vote)
    result = vote_result(open_vote)
    assert result == {
        "delegates": 30,
        "present": 5,
        "for": 1,
        "against": 0,
        "abstain": 0,
        "quorate": False,
        "passed": False,
        "secret": False,
    }


def test_sign_in_by_qr_and_refusals(world: Any, congress: Any) -> None:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    session = congress.session
    user = congress.users[0]
    with pytest.raises(ConflictError):  # the session has not started
        services.sign_in(actor=user, session=session, token=session.checkin_token)
    services.session_set_status(actor=world.enterprise_officer_a, session=session, status="open")
    with pytest.raises(PermissionDenied):
        services.sign_in(actor=user, session=session, token="wrong")
    services.sign_in(actor=user, session=session, token=session.checkin_token)
    with pytest.raises(ConflictError):
        services.sign_in(actor=user, session=session, token=session.checkin_token)
    with pytest.raises(Http404):  # not a delegate
        services.sign_in(actor=world.worker_a, session=session, token=session.checkin_token)
    with pytest.raises(ConflictError):  # planned → closed is not a step
        services.session_set_status(
            actor=world.enterprise_officer_a,
            session=Session.objects.get(pk=session.pk),
            status="planned",
        )


def test_replacing_a_delegate_mid_term(world: Any, congress: Any) -> None:
    from .conftest import make_workers

    old = congress.delegates[0]
    newcomer = make_workers(world.enterprise_a, 1)[0]
    with pytest.raises(ApplicationError):
        services.delegate_replace(
            actor=world.enterprise_officer_a, delegate=old, worker=newcomer, reason=" "
        )
    successor = services.delegate_replace(
        actor=world.enterprise_officer_a, delegate=old, worker=newcomer, reason="调离本企业"
    )
    old.refresh_from_db()
    assert (
        not old.active and old.replaced_by == successor and old.replacement_reason == "调离本企业"
    )
    assert successor.delegation == old.delegation
    assert Delegate.objects.filter(term=congress.term, active=True).count() == 30
    with pytest.raises(ConflictError):
        services.delegate_replace(
            actor=world.enterprise_officer_a, delegate=old, worker=newcomer, reason="再次"
        )
    # a worker of another union is refused; so is adding to a final list
    other = make_workers(world.enterprise_b, 1)[0]
    with pytest.raises(ApplicationError):
        services.delegate_replace(
            actor=world.enterprise_officer_a, delegate=successor, worker=other, reason="x"
        )
    with pytest.raises(ConflictError):
        services.delegate_add(
            actor=world.enterprise_officer_a, delegation=congress.delegation, worker=other
        )


def test_resolution_needs_a_passed_vote(world: Any, congress: Any) -> None:
    users = logins_for_all(congress)
    officer = world.enterprise_officer_a
    session = services.session_set_status(actor=officer, session=congress.session, status="open")
    for d in congress.delegates[:20]:
        services.sign_in(actor=officer, session=session, delegate=d)
    vote = services.vote_create(actor=officer, session=session, title="《工资支付管理规定》")
    services.vote_open(actor=officer, vote=vote)
    for u in users[:16]:
        services.ballot_cast(actor=u, vote=vote, choice="for")
    with pytest.raises(ConflictError):  # still open
        services.resolution_record(
            actor=officer, session=session, title="决议", text="通过", vote=vote
        )
    services.vote_close(actor=officer, vote=vote)
    assert vote_result(vote)["passed"]
    resolution = services.resolution_record(
        actor=officer,
        session=session,
        title="关于通过《工资支付管理规定》的决议",
        text="……",
        vote=vote,
    )
    assert resolution.vote == vote
    failed = services.vote_create(actor=officer, session=session, title="另一议题")
    services.vote_open(actor=officer, vote=failed)
    for u in users[:15]:
        services.ballot_cast(actor=u, vote=failed, choice="for")
    services.vote_close(actor=officer, vote=failed)
    assert not vote_result(failed)["passed"]  # 15 of 30 is not more than half of all delegates
    with pytest.raises(ConflictError):
        services.resolution_record(actor=officer, session=session, title="x", text="y", vote=failed)
