"""2PL calibration of a bank (simulated answers from known parameters), item flags, parallel papers
of matched difficulty, the job path, the API's access rules and the page."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from gongjiang.core.errors import ApplicationError
from gongjiang.core.jobs import job_execute
from gongjiang.learning.bank.services import blueprint_draw, question_pool
from gongjiang.learning.models import (
    Attempt,
    AttemptItem,
    Paper,
    QuestionCalibration,
)
from gongjiang.learning.statistics import calibration
from tests.access_helpers import check_access

from .factories import make_question, make_session

SEED = 20240501
ATTEMPTS = 1000
BLUEPRINT = [
    {"qtype": "single", "knowledge_point": "安全", "count": 5},
    {"qtype": "true_false", "knowledge_point": "识图", "count": 2, "score": "2"},
]


def _simulate(world: Any) -> dict[str, Any]:
    """24 single-choice 安全 + 8 true/false 识图 questions with known (a, b), one bad item
    (negative slope) and one with only 100 answers; 1,000 completed attempts."""
    actor, org = world.alice, world.province_a
    rng = np.random.default_rng(SEED)
    good = [make_question(actor, org, "single", kp="安全", stem=f"安全 {i}") for i in range(24)]
    good += [make_question(actor, org, "true_false", kp="识图", stem=f"识图 {i}") for i in range(8)]
    bad = make_question(actor, org, "single", kp="其他", stem="坏题")
    sparse = make_question(actor, org, "single", kp="其他", stem="少答")
    questions = [*good, bad, sparse]
    a = np.concatenate([rng.uniform(0.5, 2.5, len(good)), [-1.2], [1.0]])
    b = np.concatenate([rng.uniform(-2.0, 2.0, len(good)), [0.0], [0.0]])
    theta = rng.standard_normal(ATTEMPTS)
    right = rng.random((ATTEMPTS, len(questions))) < 1 / (
        1 + np.exp(-a[None, :] * (theta[:, None] - b[None, :]))
    )
    session = make_session(actor, org, good[:1])
    now = timezone.now()
    Attempt.objects.bulk_create(
        [
            Attempt(
                session=session,
                organization=org,
                user=world.worker_a,
                number=n + 1,
                seed=n,
                started_at=now,
                deadline=now + dt.timedelta(hours=1),
                submitted_at=now,
                status=Attempt.Status.COMPLETE,
            )
            for n in range(ATTEMPTS)
        ],
        batch_size=1000,
    )
    attempts = list(Attempt.objects.filter(session=session).order_by("number"))
    # one attempt still in progress: its answers must not count
    open_attempt = Attempt.objects.create(
        session=session,
        organization=org,
        user=world.worker_a,
        number=ATTEMPTS + 1,
        seed=0,
        started_at=now,
        deadline=now + dt.timedelta(hours=1),
    )
    # raw executemany: 34,000 model instances (each drawing a random code) would dominate the test
    rows = []
    for i, attempt in enumerate(attempts):
        for j, q in enumerate(questions):
            if q is sparse and i >= 100:
                continue
            # true/false questions are worth 2 marks: a full mark is right, 0 wrong
            top = 2 if q.qtype == "true_false" else 1
            score = top if right[i, j] else 0
            rows.append((f"S{i:05d}{j:03d}", attempt.pk, j + 1, q.current_id, top, score))
    rows += [
        (f"O{j:05d}", open_attempt.pk, j + 1, q.current_id, 1, None)
        for j, q in enumerate(questions)
    ]
    table = AttemptItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (code, attempt_id, position, version_id, max_score, score,"
            " option_order, seq, marking) VALUES (%s, %s, %s, %s, %s, %s, '[]', 0, 'auto')",
            rows,
        )
    return {"good": good, "bad": bad, "sparse": sparse, "a": a, "b": b}


@pytest.fixture
def bank(world: Any) -> dict[str, Any]:
    return _simulate(world)


@pytest.fixture
def calibrated(world: Any, bank: dict[str, Any]) -> dict[str, Any]:
    bank["summary"] = calibration.bank_calibrate(
        actor=world.alice, organization=world.province_a, min_responses=200
    )
    return bank


@pytest.mark.django_db
def test_calibration_recovers_parameters_and_flags(world: Any, calibrated: dict[str, Any]) -> None:
    summary = calibrated["summary"]
    assert summary["attempts"] == ATTEMPTS
    assert summary["calibrated"] == 33
    assert summary["below_min_responses"] == 1
    rows = {c.question_id: c for c in QuestionCalibration.objects.all()}
    # the question with 100 answers is not calibrated
    assert calibrated["sparse"].pk not in rows
    good = calibrated["good"]
    est_a = np.array([rows[q.pk].a for q in good])
    est_b = np.array([rows[q.pk].b for q in good])
    assert np.corrcoef(est_a, calibrated["a"][: len(good)])[0, 1] > 0.9
    assert np.corrcoef(est_b, calibrated["b"][: len(good)])[0, 1] > 0.9
    assert all(rows[q.pk].responses == ATTEMPTS for q in good)
    assert rows[calibrated["bad"].pk].flag == "negative_discrimination"
    assert summary["flags"].get("negative_discrimination") == 1
    # a second run replaces the rows (one per version), it does not add
    calibration.bank_calibrate(actor=world.alice, organization=world.province_a)
    assert QuestionCalibration.objects.count() == 33


def test_flag_rules() -> None:
    assert calibration.calibration_flag(None, 0.0) == "not_estimable"
    assert calibration.calibration_flag(-0.5, 0.0) == "negative_discrimination"
    assert calibration.calibration_flag(0.1, 0.0) == "weak_discrimination"
    assert calibration.calibration_flag(1.0, -3.5) == "extreme_difficulty"
    assert calibration.calibration_flag(1.0, 1.0) == ""


@pytest.mark.django_db
def test_calibration_needs_the_permission(world: Any, bank: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        calibration.bank_calibrate(actor=world.bob, organization=world.province_a)
    assert not QuestionCalibration.objects.exists()


def _tcc_gap(world: Any, groups: list[list[int]], blueprint: list[dict[str, Any]]) -> float:
    rows = {c.question_id: c for c in QuestionCalibration.objects.all()}
    curves = []
    for ids in groups:
        total = np.zeros_like(calibration.THETA)
        for qid in ids:
            c = rows[qid]
            w = 2.0 if c.question.qtype == "true_false" else 1.0
            total += w / (1 + np.exp(-c.a * (calibration.THETA - c.b)))
        curves.append(total)
    stack = np.stack(curves)
    return float((stack.max(axis=0) - stack.min(axis=0)).max())


@pytest.mark.django_db
def test_parallel_papers_match(world: Any, calibrated: dict[str, Any]) -> None:
    result = calibration.paper_assemble_parallel(
        actor=world.alice,
        organization=world.province_a,
        blueprint=BLUEPRINT,
        title="平行卷",
        forms=2,
        rng_seed=7,
    )
    papers = [Paper.objects.get(code=p["code"]) for p in result["papers"]]
    assert [p.mode for p in papers] == ["fixed", "fixed"]
    contents = [list(p.items.select_related("question")) for p in papers]
    ids = [{i.question_id for i in items} for items in contents]
    assert not ids[0] & ids[1]
    for items in contents:
        assert sum(1 for i in items if i.question.qtype == "single") == 5
        assert all(i.question.knowledge_point == "安全" for i in items[:5])
        tf = [i for i in items if i.question.qtype == "true_false"]
        assert len(tf) == 2 and all(str(i.score) == "2.00" for i in tf)
    assert calibrated["bad"].pk not in ids[0] | ids[1]
    assert result["max_difference"] < 0.1
    assert result["max_difference"] < result["random_max_difference"]
    assert len(result["papers"][0]["tcc"]) == len(result["theta"])
    # the figures agree with the stored parameters
    assert _tcc_gap(world, [list(s) for s in ids], BLUEPRINT) == pytest.approx(
        result["max_difference"], abs=1e-3
    )
    # random draws with the same seed (two disjoint blueprint draws) match worse
    pool = question_pool(world.province_a).filter(pk__in=[q.pk for q in calibrated["good"]])
    rng = random.Random(7)
    first = [qid for qid, _ in blueprint_draw(pool, BLUEPRINT, rng)]
    second = [qid for qid, _ in blueprint_draw(pool.exclude(pk__in=first), BLUEPRINT, rng)]
    assert result["max_difference"] < _tcc_gap(world, [first, second], BLUEPRINT)


@pytest.mark.django_db
def test_parallel_refuses_a_short_cell(world: Any, calibrated: dict[str, Any]) -> None:
    with pytest.raises(ApplicationError) as exc:
        calibration.paper_assemble_parallel(
            actor=world.alice,
            organization=world.province_a,
            blueprint=[{**BLUEPRINT[0], "count": 3}, {**BLUEPRINT[1], "count": 3}],
            title="平行卷",
            forms=3,  # 识图 needs 9 true/false questions, 8 are calibrated
        )
    assert exc.value.status == 422
    assert exc.value.details == [{"field": "blueprint.1", "error": exc.value.details[0]["error"]}]
    assert "9" in exc.value.message and "8" in exc.value.message
    assert not Paper.objects.filter(title__startswith="平行卷").exists()


@pytest.mark.django_db
def test_job_path_and_api(
    client: Any, world: Any, bank: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = check_access(
            client,
            url="/api/v1/learning/calibrations",
            method="post",
            data={"organization": world.province_a.code, "min_responses": 200},
            in_scope=world.alice,
            out_of_scope=None,
            ok=202,
        )
    job_code = response.json()["code"]
    job = calibration.calibration_job_get(actor=world.alice, code=job_code)
    if job.status == "queued":  # a task backend that does not run at once
        job = job_execute(job)
    assert job.status == "succeeded", job.result
    assert job.result["calibrated"] == 33
    assert job.done == job.total == 3
    assert QuestionCalibration.objects.filter(job=job_code).count() == 33
    # bob may not start a calibration of province A (422, as an unknown organisation)
    client.force_login(world.bob)
    response = client.post(
        "/api/v1/learning/calibrations",
        data={"organization": world.province_a.code},
        content_type="application/json",
    )
    assert response.status_code == 422
    # the job: only its creator sees it
    check_access(
        client,
        url=f"/api/v1/learning/calibrations/{job_code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    # one question's calibration, the list with flags
    good = bank["good"][0]
    response = check_access(
        client,
        url=f"/api/v1/learning/questions/{good.code}/calibration",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert response.json()["responses"] == ATTEMPTS
    client.force_login(world.alice)
    assert (
        client.get(f"/api/v1/learning/questions/{bank['sparse'].code}/calibration").status_code
        == 404
    )
    response = check_access(
        client,
        url=f"/api/v1/learning/calibrations?organization={world.province_a.code}&flagged=true",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert [r["question"] for r in response.json()] == [bank["bad"].code]
    # parallel papers
    payload = {
        "organization": world.province_a.code,
        "title": "平行卷",
        "blueprint": BLUEPRINT,
        "forms": 2,
        "rng_seed": 3,
    }
    response = check_access(
        client,
        url="/api/v1/learning/parallel-papers",
        method="post",
        data=payload,
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    body = response.json()
    assert len(body["papers"]) == 2 and body["max_difference"] < body["random_max_difference"]
    response = client.post(
        "/api/v1/learning/parallel-papers",
        data={**payload, "forms": 5},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "calibration_insufficient"


@pytest.mark.django_db
def test_page(
    client: Any, world: Any, bank: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    url = f"/learning/calibration/?org={world.province_a.code}"
    check_access(client, url=url, in_scope=world.alice, out_of_scope=None)
    client.force_login(world.worker_a)
    assert client.get(url).status_code == 403
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "action": "calibrate",
                "cal-organization": world.province_a.code,
                "cal-min_responses": 200,
            },
        )
    assert response.status_code == 302
    job_url = response["Location"]
    check_access(client, url=job_url, in_scope=world.alice, out_of_scope=world.bob)
    client.force_login(world.alice)
    response = client.get(job_url, headers={"HX-Request": "true"})
    assert b'data-status="succeeded"' in response.content
    response = client.get(url)
    assert response.content.count(b"<tr") >= 34  # header + 33 calibrated questions
    response = client.post(
        url,
        {
            "action": "assemble",
            "par-organization": world.province_a.code,
            "par-title": "平行卷",
            "par-papers": 2,
            "par-blueprint": "single, 安全, , 5\ntrue_false, 识图, , 2, 2",
            "par-seed": 1,
        },
    )
    assert response.status_code == 200
    assert b'id="parallel-result"' in response.content
    assert Paper.objects.filter(title__startswith="平行卷").count() == 2
    response = client.post(
        url,
        {
            "action": "assemble",
            "par-organization": world.province_a.code,
            "par-title": "再卷",
            "par-papers": 5,
            "par-blueprint": "true_false, 识图, , 2",
        },
    )
    assert b'id="parallel-result"' not in response.content
    assert "识图".encode() in response.content


@pytest.mark.django_db
def test_parallel_papers_match_a_target(world: Any, calibrated: dict[str, Any]) -> None:
    first = calibration.paper_assemble_parallel(
        actor=world.alice,
        organization=world.province_a,
        blueprint=BLUEPRINT,
        title="基准卷",
        forms=2,
        rng_seed=1,
    )
    target = Paper.objects.get(code=first["papers"][0]["code"])
    result = calibration.paper_assemble_parallel(
        actor=world.alice,
        organization=world.province_a,
        blueprint=BLUEPRINT,
        title="平行卷",
        forms=2,
        rng_seed=2,
        target_paper=target,
    )
    assert result["target"]["code"] == target.code
    used = set(target.items.values_list("question_id", flat=True))
    for p in result["papers"]:
        paper = Paper.objects.get(code=p["code"])
        assert not used & set(paper.items.values_list("question_id", flat=True))
        gap = np.abs(np.array(p["tcc"]) - np.array(result["target"]["tcc"])).max()
        assert gap <= result["max_difference"] + 1e-3
    assert result["max_difference"] < result["random_max_difference"]
    assert result["max_difference"] < 0.2
    # a blueprint paper (no fixed questions) cannot be a target
    drawn = Paper.objects.create(organization=world.province_a, title="抽题卷", mode="blueprint")
    with pytest.raises(ApplicationError):
        calibration.paper_assemble_parallel(
            actor=world.alice,
            organization=world.province_a,
            blueprint=BLUEPRINT,
            title="平行卷",
            target_paper=drawn,
        )


@pytest.mark.browser
def test_calibration_page_in_a_browser(
    world: Any, bank: dict[str, Any], page: Any, live_server: Any
) -> None:
    """An officer calibrates the bank, watches the job finish, reads the flagged table and
    assembles two parallel papers."""
    page.goto(f"{live_server.url}/login/?next=/learning/calibration/?org={world.province_a.code}")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "Correct-horse-9")
    page.click("#login-button")
    page.wait_for_selector("#calibration-form")
    page.fill("#id_cal-min_responses", "200")
    page.click("#calibration-form button[type=submit]")
    page.wait_for_selector('#calibration-status[data-status="succeeded"]', timeout=60_000)
    assert "33" in page.inner_text("#calibration-summary")
    page.click("#calibration-status a.btn")
    page.wait_for_selector("#calibration-table")
    assert page.locator("#calibration-table tbody tr").count() == 33
    page.fill("#id_par-title", "平行卷")
    page.fill("#id_par-blueprint", "single, 安全, , 5\ntrue_false, 识图, , 2, 2")
    page.fill("#id_par-seed", "1")
    page.click("#parallel-form button[type=submit]")
    page.wait_for_selector("#parallel-result")
    assert page.locator("#parallel-result a").count() >= 2
    assert Paper.objects.filter(title__startswith="平行卷").count() == 2
