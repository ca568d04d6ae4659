"""The contest answer's fast path (``POST /api/v1/members/campaigns/{code}/answers``).

A plainly valid entry from a worker's phone session is taken in three round trips (the session
row, one read of everything the decision needs, one statement that writes the entry, its audit row
and its queued tally increments); see ``gongjiang.core.hotpath`` for the shape shared with the
survey answer. It accepts exactly what ``campaigns.contest_submit`` accepts, graded the same way,
and answers the same 201 ``{"score": …}``. Everything else — a superuser, a person with neither a
worker record nor a membership, a campaign that is not running or not offered to the caller, an unknown question, a second
entry, SQLite, a bearer token — is left to the API operation, which refuses it as it always has
(404 outside the audience, 409 ``already_answered``, 422 …).
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from gongjiang.core import access
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
from gongjiang.core.models import AuditEvent, Membership, Organization
from gongjiang.learning.grading import grade
from gongjiang.learning.models import Question, QuestionVersion

from .campaign_tallies import TARGET
from .models import Campaign, ContestEntry

PATH = r"^/api/v1/members/campaigns/(?P<code>[^/]{1,20})/answers$"
MAX_ANSWERS = 50  # api.MembersContestIn
MAX_LIST = 50  # a multiple choice's labels: more are never plain
MAX_TEXT = 2000  # a fill-in or label: longer is never plain


def _json(value: Any) -> str:
    """A JSON column's parameter, as ``JSONField`` writes it (``json.dumps``, no encoder of its
    own), cast to jsonb in the statement: the field's adapter costs more than the text."""
    return json.dumps(value)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _read_sql(pinned: bool) -> str:
    from django.contrib.auth import get_user_model

    users = _q(get_user_model()._meta.db_table)
    from gongjiang.workforce.models import Worker

    workers = _q(Worker._meta.db_table)
    orgs = _q(Organization._meta.db_table)
    members = _q(Membership._meta.db_table)
    campaigns = _q(Campaign._meta.db_table)
    through = Campaign.questions.through._meta
    links = _q(through.db_table)
    link_campaign = _q(through.get_field("campaign").column)
    link_question = _q(through.get_field("question").column)
    questions = _q(Question._meta.db_table)
    versions = _q(QuestionVersion._meta.db_table)
    entries = _q(ContestEntry._meta.db_table)
    alive = session_alive_sql() if pinned else "TRUE"
    return f"""
    SELECT u.password, u.is_active, u.is_superuser, u.username,
           w.organization_id, wo.path,
           c.id, c.title, c.starts_at, c.ends_at, co.path,
           EXISTS (
               SELECT 1 FROM {members} m JOIN {orgs} mo ON mo.id = m.organization_id
               WHERE m.user_id = u.id AND mo.is_active AND m.role = ANY(%(use_roles)s)
                 AND (mo.kind <> %(department)s OR %(department_may)s)
           ) AS may_use,
           EXISTS (
               SELECT 1 FROM {members} m JOIN {orgs} mo ON mo.id = m.organization_id
               WHERE m.user_id = u.id AND mo.is_active
                 AND (left(mo.path, length(co.path)) = co.path
                      OR left(co.path, length(mo.path)) = mo.path)
           ) AS audience,
           EXISTS (
               SELECT 1 FROM {entries} e WHERE e.campaign_id = c.id AND e.user_id = u.id
           ) AS answered,
           (
               SELECT json_agg(json_build_array(q.code, v.qtype, v.answer, v.score::text,
                                                v.scoring_rule))
               FROM {links} cq
               JOIN {questions} q ON q.id = cq.{link_question}
               JOIN {versions} v ON v.id = q.current_id
               WHERE cq.{link_campaign} = c.id
           ) AS versions,
           (
               SELECT json_build_array(mo.id, mo.path)
               FROM {members} m JOIN {orgs} mo ON mo.id = m.organization_id
               WHERE m.user_id = u.id AND mo.is_active
               ORDER BY length(mo.path) DESC, mo.path, m.role
               LIMIT 1
           ) AS deepest,
           w.id,
           {alive} AS alive
    FROM {users} u
    LEFT JOIN {workers} w ON w.user_id = u.id
    LEFT JOIN {orgs} wo ON wo.id = w.organization_id
    LEFT JOIN {campaigns} c ON c.code = %(code)s
    LEFT JOIN {orgs} co ON co.id = c.organization_id
    WHERE u.id = %(user)s
    """


@cache
def _write_sql() -> str:
    entries = _q(ContestEntry._meta.db_table)
    audits = _q(AuditEvent._meta.db_table)
    deltas = _q(CounterDelta._meta.db_table)
    return f"""
    WITH done AS (
        INSERT INTO {entries} (campaign_id, user_id, organization_id, answers, score, submitted_at)
        VALUES (%(campaign)s, %(user)s, %(unit)s, %(answers)s::jsonb, %(score)s, %(now)s)
        ON CONFLICT (campaign_id, user_id) DO NOTHING
        RETURNING id
    ), gj_a AS (
        INSERT INTO {audits} (at, actor_id, actor_name, action, object_type, object_code,
                              object_repr, organization_id, client_address, details)
        SELECT %(now)s, %(user)s, %(username)s, %(action)s, %(object_type)s, %(object_code)s,
               %(object_repr)s, %(unit)s, %(address)s, %(details)s::jsonb
        FROM done
        RETURNING 1
    ), gj_d AS (
        INSERT INTO {deltas} (id, target, scope, payload)
        SELECT %(delta)s, %(target)s, %(campaign)s, %(payload)s::jsonb FROM done
        RETURNING 1
    ), {session_touch_sql()}
    SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM gj_a), (SELECT count(*) FROM gj_d)
    """


def _plain_answers(body: Any) -> dict[str, Any] | None:
    """The answers of a body ``MembersContestIn`` takes unchanged; None for anything else."""
    if type(body) is not dict or body.keys() != {"answers"}:
        return None
    answers = body["answers"]
    if type(answers) is not dict or len(answers) > MAX_ANSWERS:
        return None
    for key, value in answers.items():
        if not stripped(key):
            return None
        if type(value) is list:
            if len(value) > MAX_LIST or any(type(v) is not str or len(v) > MAX_TEXT for v in value):
                return None
        elif type(value) is str:
            if len(value) > MAX_TEXT:
                return None
        elif type(value) is not bool and value is not None:
            return None
    return answers


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def contest_answer_fast(request: HttpRequest, match: Any) -> HttpResponse | None:
    """Take a plainly valid contest entry; None (nothing changed) when the full path must decide."""
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
    code = match["code"]
    with prepared_cursor() as cursor:
        cursor.execute(
            _read_sql(facts.password is not None),
            {
                "user": facts.user_id,
                "code": code,
                "use_roles": sorted(access.roles_with("members.use")),
                "department": access.DEPARTMENT_KIND,
                "department_may": access.department_may("members.use"),
                "gj_session": facts.key,
                "gj_now": now,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    (
        password,
        is_active,
        is_superuser,
        username,
        unit_id,
        unit_path,
        campaign_id,
        title,
        starts_at,
        ends_at,
        _campaign_path,
        may_use,
        audience,
        answered,
        versions,
        deepest,
        worker_id,
        alive,
    ) = row
    if not session_user_holds(facts, password, is_active, alive):
        return None
    if is_superuser or not may_use or campaign_id is None or not audience or answered:
        return None
    if worker_id is None and deepest is not None:
        # no worker record: the unit is the deepest membership (``audience.home_organization``)
        unit_id, unit_path = _loaded(deepest)
    if unit_id is None or not starts_at <= now < ends_at:
        return None
    graded = {v[0]: v for v in (_loaded(versions) or [])}
    if set(answers) - set(graded):
        return None  # the full path names the unknown questions (422)
    score = Decimal("0")
    for _code, qtype, answer, max_score, rule in graded.values():
        got = grade(qtype, answer, answers.get(_code), Decimal(max_score), rule)
        score += got or Decimal("0")
    stored = _write(
        facts,
        now=now,
        campaign_id=campaign_id,
        code=code,
        title=title,
        unit_id=unit_id,
        unit_path=unit_path,
        username=username,
        answers=answers,
        score=score,
        address=client_address(request),
    )
    if not stored:
        return None  # a concurrent entry came first: the full path answers 409
    pin_session(facts, password)
    return json_response({"score": str(score)}, status=201)


def _write(
    facts: SessionFacts,
    *,
    now: Any,
    campaign_id: int,
    code: str,
    title: str,
    unit_id: int,
    unit_path: str,
    username: str,
    answers: dict[str, Any],
    score: Decimal,
    address: str | None,
) -> bool:
    params = {
        "campaign": campaign_id,
        "user": facts.user_id,
        "unit": unit_id,
        "answers": _json(answers),
        "score": score,
        "now": now,
        "username": username,
        "action": "members.contest_submit",
        "object_type": Campaign._meta.label_lower,
        "object_code": code[:40],
        "object_repr": title[:200],
        "address": address,
        "details": _json({"score": str(score)}),
        "delta": uuid.uuid4(),
        "target": TARGET,
        "payload": _json({"o": unit_id, "p": unit_path, "s": str(score)}),
        **session_touch_params(facts, now),
    }
    with prepared_cursor() as cursor:
        cursor.execute(_write_sql(), params)
        done, audited, queued = cursor.fetchone()
    return bool(done) and bool(audited) and bool(queued)


register("POST", PATH, contest_answer_fast)
