from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from gongjiang.core.errors import ConflictError
from gongjiang.core.models import AuditEvent
from gongjiang.learning import selectors
from gongjiang.learning.exams.marking import (
    attempt_item_override,
    exam_session_regrade,
    item_mark,
    marking_queue,
    question_version_correct_key,
)
from gongjiang.learning.exams.services import (
    exam_answer_save,
    exam_attempt_start,
    exam_attempt_submit,
)
from gongjiang.learning.models import Attempt
from tests.factories import UserFactory, member

from .factories import make_question, make_session, shown


@pytest.fixture
def markers(world):
    m1, m2 = UserFactory(username="judge1"), UserFactory(username="judge2")
    chief = world.alice  # officer: may reconcile
    member(m1, world.province_a, "judge")
    member(m2, world.province_a, "trainer")
    return m1, m2, chief


def _sit(world, *, double: bool, tolerance: int = 1):
    short = make_question(world.alice, world.province_a, "short")
    single = make_question(world.alice, world.province_a, "single")
    s = make_session(
        world.alice,
        world.province_a,
        [single, short],
        candidates=[world.worker_a],
        shuffle_questions=False,
        double_marking=double,
        marking_tolerance=tolerance,
    )
    attempt = exam_attempt_start(actor=world.worker_a, session=s)
    first = attempt.items.get(position=1)
    exam_answer_save(
        actor=world.worker_a, attempt=attempt, position=1, response=shown(first, "B"), seq=1
    )
    exam_answer_save(
        actor=world.worker_a, attempt=attempt, position=2, response="先断电，再挂牌", seq=1
    )
    attempt = exam_attempt_submit(actor=world.worker_a, attempt=attempt)
    return s, attempt


def test_single_marking_completes_attempt(world, markers) -> None:
    m1, _m2, _chief = markers
    s, attempt = _sit(world, double=False)
    assert attempt.status == "marking"
    assert selectors.exam_result_for(user=world.worker_a, session=s) == (None, False, False)
    queue = list(marking_queue(actor=m1))
    assert len(queue) == 1 and queue[0].version.qtype == "short"
    assert marking_queue(actor=world.bob).count() == 0  # other province
    assert marking_queue(actor=world.worker_a).count() == 0
    item_mark(actor=m1, item=queue[0], score=5, comment="要点齐全")
    attempt.refresh_from_db()
    assert (
        attempt.status == "complete"
        and attempt.score == Decimal("6.00")
        and attempt.max_score == Decimal("7.00")
    )
    assert selectors.exam_result_for(user=world.worker_a, session=s)[2] is True


def test_double_marking_within_tolerance_takes_mean(world, markers) -> None:
    m1, m2, _chief = markers
    _s, attempt = _sit(world, double=True, tolerance=1)
    item = marking_queue(actor=m1).get()
    item_mark(actor=m1, item=item, score=4)
    assert marking_queue(actor=m1).count() == 0  # a marker does not mark the same answer twice
    with pytest.raises(ConflictError):
        item_mark(actor=m1, item=item, score=4)
    item_mark(actor=m2, item=marking_queue(actor=m2).get(), score=5)
    attempt.refresh_from_db()
    assert attempt.status == "complete" and attempt.score == Decimal("5.50")


def test_double_marking_beyond_tolerance_goes_to_reconciliation(world, markers) -> None:
    m1, m2, chief = markers
    _s, attempt = _sit(world, double=True, tolerance=1)
    item = marking_queue(actor=m1).get()
    item_mark(actor=m1, item=item, score=1)
    item_mark(actor=m2, item=item, score=5)
    item.refresh_from_db()
    assert item.marking == "third" and item.score is None
    assert marking_queue(actor=m1).count() == 0
    third = UserFactory(username="judge3")
    member(third, world.province_a, "judge")
    assert marking_queue(actor=third).count() == 0  # a judge may not reconcile
    with pytest.raises(PermissionDenied):
        item_mark(actor=third, item=item, score=3)
    assert marking_queue(actor=chief).count() == 1
    item_mark(actor=chief, item=item, score=3)
    attempt.refresh_from_db()
    assert attempt.status == "complete" and attempt.score == Decimal("4.00")


def test_practical_task_marked_by_checklist(world, markers) -> None:
    m1, _m2, _chief = markers
    task = make_question(world.alice, world.province_a, "practical")
    s = make_session(world.alice, world.province_a, [task], candidates=[world.worker_a])
    attempt = exam_attempt_submit(
        actor=world.worker_a, attempt=exam_attempt_start(actor=world.worker_a, session=s)
    )
    item_mark(actor=m1, item=marking_queue(actor=m1).get(), ticked=[0])
    attempt.refresh_from_db()
    assert (
        attempt.score == Decimal("6.00") and attempt.percent == Decimal("60.00") and attempt.passed
    )


def test_corrected_key_regrades_every_affected_attempt(world) -> None:
    q = make_question(world.alice, world.province_a, "single", answer="B")
    s = make_session(
        world.alice, world.province_a, [q], candidate_organizations=[world.enterprise_a]
    )
    other = UserFactory(username="worker_b2")
    member(other, world.enterprise_a, "worker")
    for user, response in ((world.worker_a, "C"), (other, "B")):
        a = exam_attempt_start(actor=user, session=s)
        item = a.items.get(position=1)
        exam_answer_save(actor=user, attempt=a, position=1, response=shown(item, response), seq=1)
        exam_attempt_submit(actor=user, attempt=a)
    assert selectors.exam_result_for(user=world.worker_a, session=s)[1] is False
    version = q.current
    with pytest.raises(PermissionDenied):
        question_version_correct_key(actor=world.bob, version=version, answer="C", reason="x")
    result = question_version_correct_key(
        actor=world.alice, version=version, answer="C", reason="答案有误，更正为 C"
    )
    assert result == {"items": 2, "attempts_changed": 2}
    assert selectors.exam_result_for(user=world.worker_a, session=s) == (
        Decimal("100.00"),
        True,
        True,
    )
    assert selectors.exam_result_for(user=other, session=s)[0] == Decimal("0.00")
    events = AuditEvent.objects.filter(action="attempt.regrade")
    assert events.count() == 2 and all(e.details["reason"] == "答案有误，更正为 C" for e in events)
    # a session regrade with nothing changed changes nothing
    assert (
        exam_session_regrade(actor=world.alice, session=s, reason="复核")["attempts_changed"] == 0
    )


def test_override_after_appeal(world, markers) -> None:
    m1, _m2, _chief = markers
    _s, attempt = _sit(world, double=False)
    item = marking_queue(actor=m1).get()
    item_mark(actor=m1, item=item, score=2)
    attempt_item_override(actor=world.alice, item=item, score=6, reason="申诉复核")
    attempt.refresh_from_db()
    assert attempt.score == Decimal("7.00")
    assert Attempt.objects.get(pk=attempt.pk).passed
