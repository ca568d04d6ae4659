import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.learning.bank.services import (
    blueprint_draw,
    paper_create,
    question_pool,
    question_update,
)
from gongjiang.learning.models import Question

from .factories import make_bank, make_question


def test_create_each_type(world) -> None:
    qs = make_bank(world.alice, world.province_a)
    assert {q.qtype for q in qs} == {
        "single",
        "multiple",
        "true_false",
        "fill",
        "short",
        "practical",
    }
    practical = next(q for q in qs if q.qtype == "practical")
    assert practical.current.score == 10  # the checklist's points
    single = qs[0]
    assert [o["key"] for o in single.current.options] == ["A", "B", "C", "D"]


def test_stem_is_sanitised(world) -> None:
    q = make_question(
        world.alice, world.province_a, stem='<p onclick="x">题<script>bad()</script></p>'
    )
    assert q.current.stem == "<p>题</p>"


def test_invalid_content_is_rejected(world) -> None:
    with pytest.raises(ValidationError) as exc:
        make_question(world.alice, world.province_a, "single", answer="E")
    assert "answer" in exc.value.message_dict
    with pytest.raises(ValidationError):
        make_question(world.alice, world.province_a, "practical", checklist=[])


def test_out_of_scope_owner_is_refused(world) -> None:
    with pytest.raises(PermissionDenied):
        make_question(world.bob, world.province_a)
    with pytest.raises(PermissionDenied):
        make_question(world.worker_a, world.enterprise_a)


def test_editing_unused_question_edits_in_place_used_makes_new_version(world) -> None:
    q = make_question(world.alice, world.province_a)
    v1 = q.current
    q = question_update(actor=world.alice, question=q, stem="改过的题干")
    assert q.current_id == v1.pk and q.versions.count() == 1
    v1.refresh_from_db()
    v1.used = True
    v1.save()
    q = question_update(actor=world.alice, question=q, answer="C", difficulty=5)
    assert q.current_id != v1.pk and q.current.number == 2 and q.current.answer == "C"
    v1.refresh_from_db()
    assert v1.answer == "B" and v1.stem == "改过的题干"  # the used version is unchanged
    assert q.difficulty == 5
    assert AuditEvent.objects.filter(action="question.update", object_code=q.code).count() == 2


def test_pool_includes_ancestor_banks(world) -> None:
    province_q = make_question(world.alice, world.province_a)
    other = make_question(world.bob, world.province_b)
    pool = set(question_pool(world.enterprise_a).values_list("pk", flat=True))
    assert province_q.pk in pool and other.pk not in pool


def test_blueprint_draw_honours_counts(world) -> None:
    for kp in ("安全", "识图"):
        for d in (1, 2, 3):
            for _ in range(4):
                make_question(world.alice, world.province_a, "single", kp=kp, difficulty=d)
            make_question(world.alice, world.province_a, "true_false", kp=kp, difficulty=d)
    blueprint = [
        {"qtype": "single", "knowledge_point": "安全", "difficulty": 1, "count": 3},
        {"qtype": "single", "knowledge_point": "识图", "difficulty": None, "count": 5},
        {"qtype": "true_false", "knowledge_point": "", "difficulty": None, "count": 4},
        {"qtype": "single", "knowledge_point": "", "difficulty": None, "count": 6},
    ]
    pool = question_pool(world.province_a)
    for seed in range(5):
        drawn = blueprint_draw(pool, blueprint, random.Random(seed))
        ids = [qid for qid, _s in drawn]
        assert len(ids) == len(set(ids)) == 18
        questions = {q.pk: q for q in Question.objects.filter(pk__in=ids)}
        chosen = [questions[i] for i in ids]
        assert (
            sum(
                1
                for q in chosen[:3]
                if q.qtype == "single" and q.knowledge_point == "安全" and q.difficulty == 1
            )
            == 3
        )
        assert all(q.knowledge_point == "识图" for q in chosen[3:8])
        assert sum(1 for q in chosen if q.qtype == "true_false") == 4
        assert sum(1 for q in chosen if q.qtype == "single") == 14
    # the same seed draws the same paper
    assert blueprint_draw(pool, blueprint, random.Random(7)) == blueprint_draw(
        pool, blueprint, random.Random(7)
    )


def test_unsatisfiable_blueprint_names_the_cell(world) -> None:
    make_question(world.alice, world.province_a, "single", kp="安全", difficulty=2)
    with pytest.raises(ApplicationError) as exc:
        paper_create(
            actor=world.alice,
            organization=world.province_a,
            title="蓝图",
            mode="blueprint",
            blueprint=[{"qtype": "single", "knowledge_point": "安全", "difficulty": 2, "count": 3}],
        )
    assert exc.value.code == "blueprint_unsatisfiable"
    assert "安全" in exc.value.message and "3" in exc.value.message
