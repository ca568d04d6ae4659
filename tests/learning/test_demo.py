import io

import pytest

from gongjiang.core.demo import load_core_demo
from gongjiang.learning import demo, selectors
from gongjiang.learning.exams.marking import marking_queue
from gongjiang.learning.models import Attempt, ExamSession, Question


@pytest.mark.slow
def test_demo_loads_and_is_idempotent(db) -> None:
    ctx = load_core_demo()
    demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())
    assert 90 <= Question.objects.count() <= 130
    assert set(Question.objects.values_list("qtype", flat=True)) == {
        "single",
        "multiple",
        "true_false",
        "fill",
        "short",
        "practical",
    }
    done = ExamSession.objects.get(title=demo.DONE_TITLE)
    statuses = sorted(Attempt.objects.filter(session=done).values_list("status", flat=True))
    assert statuses == ["complete", "complete", "marking"]
    assert marking_queue(actor=ctx.users["js_judge"]).count() >= 1
    pz = ctx.users["pz_worker"]
    assert selectors.exam_result_for(user=pz, session=done)[2] in (True, False)
    from gongjiang.learning.exams.services import candidate_sessions

    assert candidate_sessions(pz).filter(title=demo.OPEN_TITLE).exists()
