"""The survey answer's fast path (``POST /api/v1/surveys/mine/{code}/responses``).

A plainly valid set of answers from an invited worker's phone session is taken in three round
trips (the session row, one read of everything the decision needs, one statement that marks the
invitation completed and writes the response, its queued counters and its audit row together); see
``gongjiang.core.hotpath`` for the shape shared with the contest. It accepts exactly what
``services.response_submit`` accepts (the answers checked by the same ``clean_answers`` against the
same published version) and answers the same ``{"saved": true}``. Everything else — no invitation,
a survey that is not open, answers that do not fit, a second submission, SQLite, a bearer token —
is left to the API operation, which refuses it as it always has (404, 409 ``survey_not_open`` /
``already_answered``, 422).

Anonymity holds as on the full path (docs/surveys.md, "How anonymity holds"): the response row
gets a random key and no worker, user, token or time; the invitation gets the date only; the
statement returns nothing that links the two, and the audit row names the survey, not the answers.
"""

from __future__ import annotations

import json
import threading
import uuid
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from gongjiang.core.counters import CounterDelta
from gongjiang.core.hotpath import (
    SessionFacts,
    client_address,
    json_response,
    pin_session,
    plain_json_body,
    prepared_cursor,
    register,
    session_alive_sql,
    session_facts,
    session_touch_params,
    session_touch_sql,
    session_user_holds,
    stripped,
)
from gongjiang.core.models import AuditEvent, Organization

from . import rollups
from .models import Invitation, Response, Survey, SurveyVersion
from .questions import clean_answers, counted
from .sampling import WORKER_COLUMNS, strata_of

PATH = r"^/api/v1/surveys/mine/(?P<code>[^/]{1,20})/responses$"
MAX_ANSWERS = 200  # api.SurveyAnswersIn
MAX_KEY = 20  # api.Key
MAX_TEXT = 2000  # api.AnswerText
MAX_ITEMS = 30  # api.AnswerList, api.AnswerRows


def _json(value: Any) -> str:
    """A JSON column's parameter, as ``JSONField`` writes it (``json.dumps``, no encoder of its
    own), cast to jsonb in the statement: the field's adapter costs more than the text."""
    return json.dumps(value)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _worker_sql() -> str:
    """The ``WORKER_COLUMNS`` of the user's worker record, as the ORM writes that query, with the
    user as the parameter ``%(user)s``."""
    from gongjiang.workforce.models import Worker

    sentinel = 987_654_321
    sql, params = (
        Worker.objects.filter(user_id=sentinel).values_list(*WORKER_COLUMNS).query.sql_with_params()
    )
    if list(params) != [sentinel] or sql.count("%") != 1:
        raise RuntimeError("unexpected shape of the worker query")
    return sql.replace("%s", "%(user)s")


@cache
def _read_sql(pinned: bool) -> str:
    from django.contrib.auth import get_user_model

    users = _q(get_user_model()._meta.db_table)
    surveys = _q(Survey._meta.db_table)
    orgs = _q(Organization._meta.db_table)
    invitations = _q(Invitation._meta.db_table)
    versions = _q(SurveyVersion._meta.db_table)
    alive = session_alive_sql() if pinned else "TRUE"
    columns = ", ".join(f"w_{i}" for i in range(len(WORKER_COLUMNS)))
    return f"""
    SELECT u.password, u.is_active, u.username,
           {columns},
           s.id, s.title, s.status, s.organization_id, so.path,
           i.id, i.completed_on,
           v.number,
           {alive} AS alive
    FROM {users} u
    LEFT JOIN LATERAL ({_worker_sql()}) w({columns}) ON TRUE
    LEFT JOIN {surveys} s ON s.code = %(code)s
    LEFT JOIN {orgs} so ON so.id = s.organization_id
    LEFT JOIN {invitations} i ON i.survey_id = s.id AND i.worker_id = w.w_0
    LEFT JOIN LATERAL (
        SELECT number FROM {versions}
        WHERE survey_id = s.id AND published_at IS NOT NULL
        ORDER BY number DESC LIMIT 1
    ) v ON TRUE
    WHERE u.id = %(user)s
    """


@cache
def _write_sql() -> str:
    surveys = _q(Survey._meta.db_table)
    invitations = _q(Invitation._meta.db_table)
    versions = _q(SurveyVersion._meta.db_table)
    responses = _q(Response._meta.db_table)
    audits = _q(AuditEvent._meta.db_table)
    deltas = _q(CounterDelta._meta.db_table)
    # the survey is still open and its newest published version is still the one checked against
    return f"""
    WITH done AS (
        UPDATE {invitations} SET completed_on = %(today)s
        WHERE id = %(invitation)s AND completed_on IS NULL
          AND EXISTS (SELECT 1 FROM {surveys} WHERE id = %(survey)s AND status = %(open)s)
          AND NOT EXISTS (
              SELECT 1 FROM {versions}
              WHERE survey_id = %(survey)s AND published_at IS NOT NULL AND number > %(version)s
          )
        RETURNING 1
    ), gj_r AS (
        INSERT INTO {responses} (id, survey_id, version, organization_id, region, industry,
                                 age_band, skill_level, answers)
        SELECT %(response)s, %(survey)s, %(version)s, %(unit)s, %(region)s, %(industry)s,
               %(age_band)s, %(skill_level)s, %(answers)s::jsonb
        FROM done
        RETURNING 1
    ), gj_d AS (
        INSERT INTO {deltas} (id, target, scope, payload)
        SELECT %(delta)s, %(target)s, %(survey)s, %(payload)s::jsonb FROM done
        RETURNING 1
    ), gj_a AS (
        INSERT INTO {audits} (at, actor_id, actor_name, action, object_type, object_code,
                              object_repr, organization_id, client_address, details)
        SELECT %(now)s, %(user)s, %(username)s, %(action)s, %(object_type)s, %(object_code)s,
               %(object_repr)s, %(organization)s, %(address)s, %(details)s::jsonb
        FROM done
        RETURNING 1
    ), {session_touch_sql()}
    SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM gj_r),
           (SELECT count(*) FROM gj_d), (SELECT count(*) FROM gj_a)
    """


# ------------------------------------------------------------------ published questionnaires
class _Questionnaires:
    """Questions of published versions, per (survey, number): a published version never changes
    (``SurveyVersion.save`` refuses), so it is read once per process (bounded)."""

    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self._items: dict[tuple[int, int], list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def get(self, survey_id: int, number: int) -> list[dict[str, Any]] | None:
        found = self._items.get((survey_id, number))
        if found is not None:
            return found
        questions = (
            SurveyVersion.objects.filter(survey_id=survey_id, number=number)
            .exclude(published_at=None)
            .values_list("questions", flat=True)
            .first()
        )
        if questions is None:
            return None
        with self._lock:
            while len(self._items) >= self.size:
                self._items.pop(next(iter(self._items)))
            self._items[(survey_id, number)] = questions
        return questions

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


questionnaires = _Questionnaires()


# ------------------------------------------------------------------------------ the request
def _key(value: Any) -> bool:
    return stripped(value) and 1 <= len(value) <= MAX_KEY


def _plain_answers(body: Any) -> dict[str, Any] | None:
    """The answers of a body ``SurveyAnswersIn`` takes unchanged; None for anything else."""
    if type(body) is not dict or body.keys() != {"answers"}:
        return None
    answers = body["answers"]
    if type(answers) is not dict or len(answers) > MAX_ANSWERS:
        return None
    for key, value in answers.items():
        if not _key(key):
            return None
        if type(value) is str:
            if not stripped(value) or len(value) > MAX_TEXT:
                return None
        elif type(value) is list:
            if len(value) > MAX_ITEMS or not all(_key(v) for v in value):
                return None
        elif type(value) is dict:
            if len(value) > MAX_ITEMS or not all(
                _key(k) and stripped(v) and len(v) <= 1 for k, v in value.items()
            ):
                return None
        else:
            return None
    return answers


def survey_answer_fast(request: HttpRequest, match: Any) -> HttpResponse | None:
    """Take a plainly valid set of answers; None (nothing changed) when the full path must
    decide."""
    body = plain_json_body(request)
    if body is None:
        return None
    answers = _plain_answers(body)
    if answers is None:
        return None
    facts = session_facts(request)
    if facts is None:
        return None
    now = timezone.now()
    with prepared_cursor() as cursor:
        cursor.execute(
            _read_sql(facts.password is not None),
            {"user": facts.user_id, "code": match["code"], "gj_session": facts.key, "gj_now": now},
        )
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(WORKER_COLUMNS)
    password, is_active, username = row[:3]
    worker = row[3 : 3 + width]
    (
        survey_id,
        title,
        status,
        organization_id,
        base,
        invitation_id,
        completed_on,
        number,
        alive,
    ) = row[3 + width :]
    if not session_user_holds(facts, password, is_active, alive):
        return None
    if worker[0] is None or survey_id is None or invitation_id is None:
        return None
    if status != Survey.Status.OPEN or number is None or completed_on is not None:
        return None
    questions = questionnaires.get(survey_id, number)
    if questions is None:
        return None
    try:
        clean = clean_answers(questions, answers)
    except ValidationError:
        return None  # the full path names the problem (422)
    stored = _write(
        facts,
        now=now,
        survey_id=survey_id,
        code=match["code"],
        title=title,
        organization_id=organization_id,
        invitation_id=invitation_id,
        version=number,
        questions=questions,
        clean=clean,
        worker=worker,
        base=base,
        username=username,
        address=client_address(request),
    )
    if not stored:
        return None  # a concurrent submission came first, or the survey closed: the full path
    pin_session(facts, password)
    return json_response({"saved": True})


def _write(
    facts: SessionFacts,
    *,
    now: Any,
    survey_id: int,
    code: str,
    title: str,
    organization_id: int,
    invitation_id: int,
    version: int,
    questions: list[dict[str, Any]],
    clean: dict[str, Any],
    worker: Any,
    base: str,
    username: str,
    address: str | None,
) -> bool:
    today = timezone.localdate(now)
    strata = strata_of(worker, today)
    payload = {
        "c": rollups.cells_of(strata, worker[2], base),
        "p": counted(questions, clean),
    }
    params = {
        "today": today,
        "invitation": invitation_id,
        "survey": survey_id,
        "open": Survey.Status.OPEN.value,
        "version": version,
        "response": uuid.uuid4(),
        "unit": worker[1],
        **strata,
        "answers": _json(clean),
        "delta": uuid.uuid4(),
        "target": rollups.TARGET,
        "payload": _json(payload),
        "now": now,
        "user": facts.user_id,
        "username": username,
        "action": "survey.answer",
        "object_type": Survey._meta.label_lower,
        "object_code": code[:40],
        "object_repr": title[:200],
        "organization": organization_id,
        "address": address,
        "details": _json({}),
        **session_touch_params(facts, now),
    }
    with prepared_cursor() as cursor:
        cursor.execute(_write_sql(), params)
        counts = cursor.fetchone()
    return all(counts)


register("POST", PATH, survey_answer_fast)
