"""Anonymity that holds: the tables hold no link, and no group under the threshold is shown on
any path (pages, API, export)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from gongjiang.core.counters import CounterDelta
from gongjiang.surveys import selectors, services
from gongjiang.surveys.anonymity import suppressed
from gongjiang.surveys.models import Invitation, Response

from ..counters_helpers import fold
from .helpers import answers


def submit(sw: Any, workers: list, start: int = 0, *, folded: bool = True) -> None:
    """The workers answer; then (unless ``folded`` is False) the worker's fold runs."""
    for i, w in enumerate(workers, start=start):
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i))
    if folded:
        fold()


@pytest.mark.django_db
def test_tables_hold_no_link_between_worker_and_answers(sw: Any) -> None:
    submit(sw, sw.workers[:3], folded=False)
    # the queued counters (core.counters) neither: a random key, no time, no person
    assert {f.name for f in CounterDelta._meta.get_fields()} == {
        "id",
        "target",
        "scope",
        "payload",
    }
    assert CounterDelta._meta.pk.get_internal_type() == "UUIDField"
    queued = list(CounterDelta.objects.filter(scope=sw.survey.pk).values_list("payload", flat=True))
    assert len(queued) == 3
    for payload in queued:
        assert set(payload) == {"c", "p"}  # cells (strata, organisation) and (question, option)
        assert not any(w.name in str(payload) or w.code in str(payload) for w in sw.workers)
        assert "加班" not in str(payload)  # open answers are counted, never copied
    response_fields = {f.name for f in Response._meta.get_fields()}
    assert response_fields == {
        "id",
        "survey",
        "version",
        "organization",
        "region",
        "industry",
        "age_band",
        "skill_level",
        "answers",
    }  # no worker, user, token, invitation or time
    assert Response._meta.pk.get_internal_type() == "UUIDField"  # no arrival order in the key
    invitation_fields = {f.name for f in Invitation._meta.get_fields()}
    assert invitation_fields == {
        "id",
        "survey",
        "worker",
        "organization",
        "token_hash",
        "completed_on",
    }
    assert Invitation._meta.get_field("completed_on").get_internal_type() == "DateField"
    # the stored answers carry nothing of the person
    for answers_ in Response.objects.values_list("answers", flat=True):
        assert not any(w.name in str(answers_) for w in sw.workers)


def test_secondary_suppression() -> None:
    assert suppressed({"a": 50, "b": 12, "c": 3}, 10) == {"b", "c"}  # c alone is a - total
    assert suppressed({"a": 50, "b": 12, "c": 13}, 10) == set()
    assert suppressed({"a": 50, "b": 4, "c": 3, "d": 30}, 10) == {"b", "c", "d"}
    assert suppressed({"a": 50, "b": 6, "c": 5}, 10) == {"b", "c"}  # 11 together: enough
    assert suppressed({"a": 9}, 10) == {"a"}


@pytest.mark.django_db
def test_threshold_on_pages_api_and_export_before_enough_answers(client: Any, sw: Any) -> None:
    submit(sw, sw.workers[:9])
    code = sw.survey.code
    client.force_login(sw.world.alice)
    page = client.get(f"/surveys/{code}/results/")
    assert page.status_code == 200 and b'id="suppressed"' in page.content
    assert b"data-chart" not in page.content
    api = client.get(f"/api/v1/surveys/surveys/{code}/results").json()
    assert api["suppressed"] and api["respondents"] is None
    assert all(c is None for q in api["questions"] for c in q["counts"].values())
    assert api["weighted"] == {}
    assert client.get(f"/surveys/{code}/answers.xlsx").status_code == 403
    assert client.get(f"/surveys/{code}/answers.csv").status_code == 403


@pytest.mark.django_db
def test_small_groups_withheld_on_every_path(client: Any, sw: Any) -> None:
    submit(sw, sw.workers[:14])
    submit(sw, sw.few, start=100)  # 3 answers from the small enterprise
    code = sw.survey.code
    client.force_login(sw.world.alice)
    # API, by organisation under the province: city A holds everyone (17) → shown
    api = client.get(f"/api/v1/surveys/surveys/{code}/results?dimension=org").json()
    assert [g["n"] for g in api["groups"]] == [17]
    # within city A: enterprise A (14) and the small one (3): the small one withheld, and enterprise
    # A with it (else 17 − 14 would give it away)
    within = client.get(
        f"/api/v1/surveys/surveys/{code}/results?dimension=org&within={sw.world.city_a.code}"
    ).json()
    assert all(g["suppressed"] and g["n"] is None for g in within["groups"])
    assert all(c is None for q in within["questions"] for c in q["counts"].values())
    # drilling into the small enterprise is refused
    r = client.get(f"/api/v1/surveys/surveys/{code}/results?dimension=all&within={sw.small.code}")
    assert r.status_code == 403
    # pages: the same breakdown shows dashes and no count for the withheld groups
    page = client.get(f"/surveys/{code}/results/?dim=org&within={sw.world.city_a.code}")
    assert page.status_code == 200
    assert page.content.count(b'class="gj-withheld"') == 2 * 6  # two groups, six questions
    assert b"n = " not in page.content
    assert client.get(f"/surveys/{code}/results/?dim=all&within={sw.small.code}").status_code == 403
    # by skill level: 4 levels over 17 people → every group is under 10
    skill = client.get(f"/api/v1/surveys/surveys/{code}/results?dimension=skill_level").json()
    assert skill["groups"] and all(g["suppressed"] for g in skill["groups"])
    # export: strata of rows in small combinations are withheld, as a pool of at least 10 rows
    csv_rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get(f"/surveys/{code}/answers.csv").streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    header, rows = csv_rows[0], csv_rows[1:]
    assert len(rows) == 17 and header[:5] == ["id", "region", "industry", "age_band", "skill_level"]
    combos: dict[tuple, int] = {}
    for row in rows:
        combos[tuple(row[1:5])] = combos.get(tuple(row[1:5]), 0) + 1
    for combo, n in combos.items():
        assert n >= 10, (combo, n)
    assert "q6" not in header  # open answers are never exported


@pytest.mark.django_db
def test_threshold_is_a_setting(client: Any, sw: Any) -> None:
    services.survey_setting_save(
        actor=sw.world.alice, organization=sw.world.province_a, threshold=20
    )
    s = services.survey_create(actor=sw.world.alice, organization=sw.world.city_a, title="第二轮")
    assert s.threshold == 20
    submit(sw, sw.workers[:14])
    result = selectors.breakdown(actor=sw.world.alice, survey=sw.survey)
    assert result["respondents"] == 14  # the first survey kept its 10


@pytest.mark.django_db
def test_open_answers_only_whole_and_only_to_readers(client: Any, sw: Any) -> None:
    submit(sw, sw.workers[:24])  # every third is unhappy and writes: 8 texts < 10
    code = sw.survey.code
    client.force_login(sw.world.alice)
    assert client.get(f"/api/v1/surveys/surveys/{code}/texts/q6").json()["suppressed"]
    for i, w in enumerate(sw.few):  # three more unhappy workers write: 11 texts
        services.response_submit(
            actor=w.user, survey=sw.survey, answers={**answers(i), "q1": "b", "q6": f"食堂 {i}"}
        )
    data = client.get(f"/api/v1/surveys/surveys/{code}/texts/q6").json()
    assert data["count"] == 11 and data["texts"] == sorted(data["texts"])
    page = client.get(f"/surveys/{code}/texts/q6/")
    assert page.status_code == 200 and "食堂 2".encode() in page.content
    with pytest.raises(PermissionDenied):
        selectors.open_texts(actor=sw.inspector, survey=sw.survey, key="q6")
    client.force_login(sw.inspector)
    assert client.get(f"/api/v1/surveys/surveys/{code}/texts/q6").status_code == 403
    assert client.get(f"/surveys/{code}/texts/q6/").status_code == 403
