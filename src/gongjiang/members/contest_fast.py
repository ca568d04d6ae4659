"""The contest answer's fast path (``POST /api/v1/members/campaigns/{code}/answers``).

A plainly valid entry from a worker's phone session is taken in three round trips (the session
row, one read of everything the decision needs, one statement that writes the entry, its audit row
and its queued tally increments); see ``gongjiang.core.hotpath`` for the shape shared with the
survey answer. A session pinned by the contest's read (``core.auth.session_pins``) skips the
session row, and once this process holds the campaign's graded versions (``Graded``, read by any
earlier entry's read) its entry is **one** statement (``_pinned_write_sql``), as the exam save's:
the session and user re-checked, ``members.use``, the audience, the running period and the unit
decided in its WHERE, the held versions re-checked by their md5, then the writes. It accepts
exactly what ``campaigns.contest_submit`` accepts, graded the same way, and answers the same 201
``{"score": …}``. Everything else — a superuser, a person with neither a worker record nor a
membership, a campaign that is not running or not offered to the caller, an unknown question, a
second entry, SQLite, a bearer token — is left to the API operation, which refuses it as it always
has (404 outside the audience, 409 ``already_answered``, 422 …).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from gongjiang.core import access
from gongjiang.core.auth import session_pins
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


def _tables() -> dict[str, str]:
    from django.contrib.auth import get_user_model

    from gongjiang.workforce.models import Worker

    through = Campaign.questions.through._meta
    return {
        "users": _q(get_user_model()._meta.db_table),
        "workers": _q(Worker._meta.db_table),
        "orgs": _q(Organization._meta.db_table),
        "members": _q(Membership._meta.db_table),
        "campaigns": _q(Campaign._meta.db_table),
        "links": _q(through.db_table),
        "link_campaign": _q(through.get_field("campaign").column),
        "link_question": _q(through.get_field("question").column),
        "questions": _q(Question._meta.db_table),
        "versions": _q(QuestionVersion._meta.db_table),
        "entries": _q(ContestEntry._meta.db_table),
        "audits": _q(AuditEvent._meta.db_table),
        "deltas": _q(CounterDelta._meta.db_table),
    }


def _may_use_sql(user: str) -> str:
    """The user holds ``members.use`` (``access.can``): a role that grants it in an active
    organisation (a department only where departments may). Parameters: ``use_roles``,
    ``department``, ``department_may``."""
    t = _tables()
    return f"""EXISTS (
               SELECT 1 FROM {t["members"]} m JOIN {t["orgs"]} mo ON mo.id = m.organization_id
               WHERE m.user_id = {user} AND mo.is_active AND m.role = ANY(%(use_roles)s)
                 AND (mo.kind <> %(department)s OR %(department_may)s)
           )"""


def _audience_sql(user: str, campaign_path: str) -> str:
    """The campaign is offered to the user (``audience.audience_q``): one of their active
    organisations lies above or below the organiser."""
    t = _tables()
    return f"""EXISTS (
               SELECT 1 FROM {t["members"]} m JOIN {t["orgs"]} mo ON mo.id = m.organization_id
               WHERE m.user_id = {user} AND mo.is_active
                 AND (left(mo.path, length({campaign_path})) = {campaign_path}
                      OR left({campaign_path}, length(mo.path)) = mo.path)
           )"""


def _deepest_sql(user: str) -> str:
    """The user's deepest active membership (``audience.home_organization`` without a worker
    record): one row of ``id, path`` or none."""
    t = _tables()
    return f"""SELECT mo.id, mo.path
               FROM {t["members"]} m JOIN {t["orgs"]} mo ON mo.id = m.organization_id
               WHERE m.user_id = {user} AND mo.is_active
               ORDER BY length(mo.path) DESC, mo.path, m.role
               LIMIT 1"""


def _graded_sql(campaign: str) -> str:
    """The campaign's questions as grading reads them (code, type, answer, score, rule of each
    question's current version, in question order), as JSON text: the same text for the same
    contents, so its md5 tells whether a copy of it is still current."""
    t = _tables()
    return f"""coalesce((
               SELECT json_agg(json_build_array(q.code, v.qtype, v.answer, v.score::text,
                                                v.scoring_rule) ORDER BY q.id)
               FROM {t["links"]} cq
               JOIN {t["questions"]} q ON q.id = cq.{t["link_question"]}
               JOIN {t["versions"]} v ON v.id = q.current_id
               WHERE cq.{t["link_campaign"]} = {campaign}
           )::text, '')"""


@cache
def _read_sql(pinned: bool) -> str:
    t = _tables()
    alive = session_alive_sql() if pinned else "TRUE"
    return f"""
    SELECT u.password, u.is_active, u.is_superuser, u.username,
           w.organization_id, wo.path,
           c.id, c.title, c.starts_at, c.ends_at, co.path,
           {_may_use_sql("u.id")} AS may_use,
           {_audience_sql("u.id", "co.path")} AS audience,
           EXISTS (
               SELECT 1 FROM {t["entries"]} e WHERE e.campaign_id = c.id AND e.user_id = u.id
           ) AS answered,
           g.graded, md5(g.graded),
           (
               SELECT json_build_array(d.id, d.path) FROM ({_deepest_sql("u.id")}) d
           ) AS deepest,
           w.id,
           {alive} AS alive
    FROM {t["users"]} u
    LEFT JOIN {t["workers"]} w ON w.user_id = u.id
    LEFT JOIN {t["orgs"]} wo ON wo.id = w.organization_id
    LEFT JOIN {t["campaigns"]} c ON c.code = %(code)s
    LEFT JOIN {t["orgs"]} co ON co.id = c.organization_id
    LEFT JOIN LATERAL (SELECT {_graded_sql("c.id")} AS graded) g ON c.id IS NOT NULL
    WHERE u.id = %(user)s
    """


@cache
def _pinned_write_sql() -> str:
    """The whole entry of a pinned session in one statement: the session and its user re-checked
    (as ``core.auth.session_guard_sql``), the decision the read makes (``members.use``, the
    audience, the running period, the unit) in its WHERE, the graded versions the process holds
    re-checked by their md5, then the entry, its audit row and its tally delta as ``_write_sql``
    writes them. Answers: does the session hold, the md5 of the campaign's graded versions now
    (NULL when no running campaign has that code), and the three counts of ``_write_sql``."""
    from django.contrib.sessions.models import Session

    t = _tables()
    sessions = _q(Session._meta.db_table)
    return f"""
    WITH gj_u AS (
        SELECT u.id, u.username, u.is_superuser FROM {t["users"]} u
        WHERE u.id = %(user)s AND u.password = %(gj_password)s AND u.is_active
          AND EXISTS (SELECT 1 FROM {sessions}
                      WHERE session_key = %(gj_session)s AND expire_date > %(gj_now)s)
    ), gj_c AS (
        SELECT c.id, c.title, co.path, md5({_graded_sql("c.id")}) AS digest
        FROM {t["campaigns"]} c JOIN {t["orgs"]} co ON co.id = c.organization_id
        WHERE c.code = %(code)s AND c.starts_at <= %(now)s AND %(now)s < c.ends_at
    ), gj_x AS (
        SELECT c.id AS campaign_id, left(c.title, 200) AS title, gu.username,
               CASE WHEN w.id IS NULL THEN dm.id ELSE w.organization_id END AS unit_id,
               CASE WHEN w.id IS NULL THEN dm.path ELSE wo.path END AS unit_path
        FROM gj_u gu CROSS JOIN gj_c c
        LEFT JOIN {t["workers"]} w ON w.user_id = gu.id
        LEFT JOIN {t["orgs"]} wo ON wo.id = w.organization_id
        LEFT JOIN LATERAL ({_deepest_sql("gu.id")}) dm ON w.id IS NULL
        WHERE NOT gu.is_superuser AND c.digest = %(digest)s
          AND {_may_use_sql("gu.id")}
          AND {_audience_sql("gu.id", "c.path")}
    ), done AS (
        INSERT INTO {t["entries"]} (campaign_id, user_id, organization_id, answers, score,
                                    submitted_at)
        SELECT x.campaign_id, %(user)s, x.unit_id, %(answers)s::jsonb, %(score)s, %(now)s
        FROM gj_x x WHERE x.unit_id IS NOT NULL
        ON CONFLICT (campaign_id, user_id) DO NOTHING
        RETURNING id
    ), gj_a AS (
        INSERT INTO {t["audits"]} (at, actor_id, actor_name, action, object_type, object_code,
                                   object_repr, organization_id, client_address, details)
        SELECT %(now)s, %(user)s, x.username, %(action)s, %(object_type)s, %(object_code)s,
               x.title, x.unit_id, %(address)s, %(details)s::jsonb
        FROM done CROSS JOIN gj_x x
        RETURNING 1
    ), gj_d AS (
        INSERT INTO {t["deltas"]} (id, target, scope, payload)
        SELECT %(delta)s, %(target)s, x.campaign_id,
               jsonb_build_object('o', x.unit_id, 'p', x.unit_path, 's', %(score_text)s::text)
        FROM done CROSS JOIN gj_x x
        RETURNING 1
    ), {session_touch_sql()}
    SELECT EXISTS (SELECT 1 FROM gj_u), (SELECT digest FROM gj_c),
           (SELECT count(*) FROM done), (SELECT count(*) FROM gj_a), (SELECT count(*) FROM gj_d)
    """


@cache
def _write_sql() -> str:
    t = _tables()
    entries, audits, deltas = t["entries"], t["audits"], t["deltas"]
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


@dataclass(frozen=True)
class Graded:
    """A campaign's questions as grading reads them, held per process (``_GRADED``) for the
    one-statement entry of a pinned session, which re-checks ``digest`` (the md5 of
    ``_graded_sql``'s text) before it writes: a question edited in place, replaced by a new version,
    added or taken away changes it, and the entry goes the longer way (which reads them again)."""

    campaign_id: int
    versions: dict[str, Any]  # question code → [code, qtype, answer, score text, rule]
    digest: str


GRADED_SIZE = 1_000  # campaigns held per process; the oldest are dropped first
_GRADED: dict[str, Graded] = {}
_STALE = object()  # the held versions changed: read them again


def _graded_remember(code: str, graded: Graded) -> None:
    _GRADED.pop(code, None)
    while len(_GRADED) >= GRADED_SIZE:
        try:
            _GRADED.pop(next(iter(_GRADED)))
        except (StopIteration, KeyError, RuntimeError):  # another thread changed it meanwhile
            break
    _GRADED[code] = graded


def graded_forget() -> None:
    """Drop every held campaign (tests; nothing else needs it: the statement re-checks them)."""
    _GRADED.clear()


def _score(versions: dict[str, Any], answers: dict[str, Any]) -> Decimal:
    score = Decimal("0")
    for _code, qtype, answer, max_score, rule in versions.values():
        got = grade(qtype, answer, answers.get(_code), Decimal(max_score), rule)
        score += got or Decimal("0")
    return score


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
    code = match["code"]
    if facts.password is not None:
        held = _GRADED.get(code)
        if held is not None:
            done = _answer_pinned(request, facts, code, answers, held)
            if done is not _STALE:
                return done  # type: ignore[return-value]
            _GRADED.pop(code, None)
    return _answer(request, facts, code, answers)


def _answer_pinned(
    request: HttpRequest, facts: SessionFacts, code: str, answers: dict[str, Any], held: Graded
) -> HttpResponse | None | object:
    """A pinned session's entry in one statement (``_pinned_write_sql``); ``_STALE`` when the
    campaign's graded versions are no longer those held, or the answers name a question they do
    not hold (nothing was written: the read decides)."""
    if set(answers) - set(held.versions):
        # a question added since they were read, or one the full path names as unknown (400):
        # the read decides
        return _STALE
    now = timezone.now()
    score = _score(held.versions, answers)
    params = {
        "user": facts.user_id,
        "gj_password": facts.password,
        "code": code,
        "now": now,
        "digest": held.digest,
        "use_roles": sorted(access.roles_with("members.use")),
        "department": access.DEPARTMENT_KIND,
        "department_may": access.department_may("members.use"),
        "answers": _json(answers),
        "score": score,
        "score_text": str(score),
        "action": "members.contest_submit",
        "object_type": Campaign._meta.label_lower,
        "object_code": code[:40],
        "address": client_address(request),
        "details": _json({"score": str(score)}),
        "delta": uuid.uuid4(),
        "target": TARGET,
        **session_touch_params(facts, now),
    }
    with prepared_cursor() as cursor:
        cursor.execute(_pinned_write_sql(), params)
        holds, digest, done, audited, queued = cursor.fetchone()
    if not holds:
        session_pins.forget(facts.key)  # the full path decides (401), as the exam save does
        return None
    if done and audited and queued:
        return json_response({"score": str(score)}, status=201)
    if digest is not None and digest != held.digest:
        return _STALE
    return None  # refused or a concurrent entry came first: the full path answers


def _answer(
    request: HttpRequest, facts: SessionFacts, code: str, answers: dict[str, Any]
) -> HttpResponse | None:
    """The entry after one read of everything the decision needs (and the session row before it
    for a session this process has not pinned): two or three round trips."""
    now = timezone.now()
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
        graded_text,
        digest,
        deepest,
        worker_id,
        alive,
    ) = row
    if not session_user_holds(facts, password, is_active, alive):
        return None
    if campaign_id is None:
        return None
    versions = {v[0]: v for v in (json.loads(graded_text) if graded_text else [])}
    _graded_remember(code, Graded(campaign_id=campaign_id, versions=versions, digest=digest))
    if is_superuser or not may_use or not audience or answered:
        return None
    if worker_id is None and deepest is not None:
        # no worker record: the unit is the deepest membership (``audience.home_organization``)
        unit_id, unit_path = _loaded(deepest)
    if unit_id is None or not starts_at <= now < ends_at:
        return None
    if set(answers) - set(versions):
        return None  # the full path names the unknown questions (422)
    score = _score(versions, answers)
    params = _write_params(
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
    with prepared_cursor() as cursor:
        cursor.execute(_write_sql(), params)
        done, audited, queued = cursor.fetchone()
    if not (done and audited and queued):
        return None  # a concurrent entry came first: the full path answers 409
    pin_session(facts, password)
    return json_response({"score": str(score)}, status=201)


def _write_params(
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
) -> dict[str, Any]:
    """The parameters of ``_write_sql``."""
    return {
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


register("POST", PATH, contest_answer_fast)
