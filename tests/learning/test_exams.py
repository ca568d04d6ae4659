import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from gongjiang.core.errors import ConflictError
from gongjiang.learning import selectors
from gongjiang.learning.exams.services import (
    attempt_get_for_candidate,
    exam_answer_save,
    exam_attempt_start,
    exam_attempt_submit,
    exam_autosubmit_due,
)
from gongjiang.learning.models import Attempt, AttemptItem
from gongjiang.learning.tasks import exam_autosubmit_due as autosubmit_task

from .factories import make_bank, make_session, shown


def right_answer(item: AttemptItem):
    """The right answer as the candidate sends it: option labels as shown, one text per blank."""
    if item.version.qtype == "fill":
        return [b[0] for b in item.version.answer]
    return shown(item, item.version.answer)


@pytest.fixture
def session(world):
    questions = make_bank(world.alice, world.province_a)
    # questions in bank order (position 1 is a single choice); options still shuffled
    return make_session(
        world.alice,
        world.province_a,
        questions,
        candidate_organizations=[world.enterprise_a],
        shuffle_questions=False,
    )


def test_worker_of_candidate_organization_starts_and_resumes(world, session) -> None:
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    assert attempt.items.count() == 11 and attempt.status == "in_progress"
    again = exam_attempt_start(actor=world.worker_a, session=session)
    assert again.pk == attempt.pk  # resume, not a second attempt
    with pytest.raises(Http404):
        exam_attempt_start(actor=world.bob, session=session)


def test_shuffle_is_per_candidate_and_kept(world, session) -> None:
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    items = list(attempt.items.select_related("version"))
    for item in items:
        assert sorted(item.option_order) == sorted(o["key"] for o in item.version.options)
    assert sorted(i.version.question_id for i in items) == sorted(
        session.paper.items.values_list("question_id", flat=True)
    )


def test_autosave_is_idempotent_and_last_write_wins_by_sequence(world, session) -> None:
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    first = exam_answer_save(actor=world.worker_a, attempt=attempt, position=1, response="A", seq=1)
    assert first["saved"] is True
    retry = exam_answer_save(actor=world.worker_a, attempt=attempt, position=1, response="A", seq=1)
    assert retry["saved"] is False and retry["seq"] == 1
    exam_answer_save(actor=world.worker_a, attempt=attempt, position=1, response="C", seq=3)
    late_old = exam_answer_save(
        actor=world.worker_a, attempt=attempt, position=1, response="B", seq=2
    )
    assert late_old["saved"] is False
    item = attempt.items.get(position=1)
    assert item.response == "C" and item.seq == 3


def test_resume_after_restart_keeps_answers_and_time_left(world, session) -> None:
    start = timezone.now()
    attempt = exam_attempt_start(actor=world.worker_a, session=session, now=start)
    position = attempt.items.get(version__qtype="multiple").position
    exam_answer_save(
        actor=world.worker_a, attempt=attempt, position=position, response=["A"], seq=1, now=start
    )
    # "restart": nothing in memory survives; the candidate comes back ten minutes later
    later = start + dt.timedelta(minutes=10)
    resumed = exam_attempt_start(actor=world.worker_a, session=session, now=later)
    assert resumed.pk == attempt.pk
    assert resumed.seconds_left(later) == 20 * 60
    assert resumed.items.get(position=position).response == ["A"]
    assert resumed.last_position == position


def test_answers_after_deadline_are_refused_and_attempt_submitted(world, session) -> None:
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    after = attempt.deadline + dt.timedelta(seconds=1)
    with pytest.raises(ConflictError) as exc:
        exam_answer_save(
            actor=world.worker_a, attempt=attempt, position=1, response="B", seq=1, now=after
        )
    assert exc.value.code == "deadline_passed" and exc.value.status == 409
    attempt.refresh_from_db()
    assert attempt.status == "marking" and attempt.auto_submitted
    assert attempt.submitted_at == attempt.deadline
    assert attempt.items.get(position=1).response is None


def test_deadline_capped_by_session_close(world) -> None:
    questions = make_bank(world.alice, world.province_a)
    s = make_session(
        world.alice, world.province_a, questions, candidates=[world.worker_a], minutes=600
    )
    attempt = exam_attempt_start(actor=world.worker_a, session=s)
    assert attempt.deadline == s.closes_at


def test_autosubmit_task_and_command(world, session) -> None:
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    assert exam_autosubmit_due() == 0
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    autosubmit_task.enqueue()
    attempt.refresh_from_db()
    assert attempt.status != "in_progress" and attempt.auto_submitted
    call_command("exam-autosubmit")  # nothing left; runs cleanly


def test_lazy_submit_on_access(world, session) -> None:
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    fetched = attempt_get_for_candidate(actor=world.worker_a, code=attempt.code)
    assert fetched.status == "marking"


def test_objective_only_exam_completes_and_result_is_released(world) -> None:
    questions = [q for q in make_bank(world.alice, world.province_a) if q.is_objective]
    s = make_session(
        world.alice, world.province_a, questions, candidates=[world.worker_a], pass_percent=60
    )
    attempt = exam_attempt_start(actor=world.worker_a, session=s)
    for seq, item in enumerate(attempt.items.select_related("version"), start=1):
        exam_answer_save(
            actor=world.worker_a,
            attempt=attempt,
            position=item.position,
            response=right_answer(item),
            seq=seq,
        )
    attempt = exam_attempt_submit(actor=world.worker_a, attempt=attempt)
    assert attempt.status == "complete" and attempt.score == attempt.max_score and attempt.passed
    assert selectors.exam_result_for(user=world.worker_a, session=s) == (
        Decimal("100.00"),
        True,
        True,
    )
    assert selectors.exam_result_for(user=world.alice, session=s) == (None, False, False)
    with pytest.raises(ConflictError):
        exam_attempt_start(actor=world.worker_a, session=s)  # one attempt allowed


def test_session_closed_refuses_start(world) -> None:
    questions = make_bank(world.alice, world.province_a)[:2]
    s = make_session(world.alice, world.province_a, questions, candidates=[world.worker_a])
    s.opens_at = timezone.now() + dt.timedelta(hours=1)
    s.save()
    with pytest.raises(ConflictError) as exc:
        exam_attempt_start(actor=world.worker_a, session=s)
    assert exc.value.code == "session_closed"


def test_blueprint_session_draws_per_candidate(world) -> None:
    from gongjiang.learning.bank.services import paper_create
    from gongjiang.learning.exams.services import exam_session_create

    from .factories import make_question

    for d in range(1, 6):
        for _ in range(3):
            make_question(world.alice, world.province_a, "single", kp="识图", difficulty=d)
    paper = paper_create(
        actor=world.alice,
        organization=world.province_a,
        title="蓝图卷",
        mode="blueprint",
        blueprint=[
            {"qtype": "single", "knowledge_point": "识图", "difficulty": d, "count": 2}
            for d in range(1, 6)
        ],
    )
    now = timezone.now()
    s = exam_session_create(
        actor=world.alice,
        organization=world.province_a,
        paper=paper,
        title="抽题",
        opens_at=now - dt.timedelta(minutes=1),
        closes_at=now + dt.timedelta(hours=1),
        candidate_organizations=[world.enterprise_a],
    )
    attempt = exam_attempt_start(actor=world.worker_a, session=s)
    diffs = sorted(
        i.version.question.difficulty for i in attempt.items.select_related("version__question")
    )
    assert diffs == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_attempts_on_the_worker_timeline(world) -> None:
    from types import SimpleNamespace

    from gongjiang.learning.timeline import exam_entries

    questions = [q for q in make_bank(world.alice, world.province_a) if q.is_objective]
    s = make_session(world.alice, world.province_a, questions, candidates=[world.worker_a])
    exam_attempt_submit(
        actor=world.worker_a, attempt=exam_attempt_start(actor=world.worker_a, session=s)
    )
    entries = exam_entries(SimpleNamespace(user_id=world.worker_a.pk), world.alice)
    assert len(entries) == 1 and entries[0].kind == "exam" and "理论考试" in entries[0].title
    assert exam_entries(SimpleNamespace(user_id=None), world.alice) == []
