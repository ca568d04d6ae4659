"""Exam sessions and attempts: the server owns the clock.

* An attempt's ``deadline`` is fixed when it starts: ``min(start + duration, session closes)``.
* ``exam_answer_save`` stores each answer as given, idempotently: the client sends a sequence
  number per item; a save whose number is not higher than the stored one changes nothing (a retry
  never double counts; last write by sequence wins). After the deadline it is refused (409
  ``deadline_passed``) and the attempt is submitted.
* An attempt still open at its deadline is submitted by ``exam_autosubmit_due`` (a django-tasks
  task and the ``gongjiang exam-autosubmit`` command), and lazily on any access after the deadline.
* Objective items are graded on submission; subjective ones go to the blind marking queue
  (``marking.py``); the result is released when every item is marked.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import secrets
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import user_or_none
from gongjiang.core.audit import audit_record
from gongjiang.core.errors import ConflictError
from gongjiang.core.hotpath import prepared_cursor
from gongjiang.core.models import Membership, Organization

from ..answers import AnswerFit, answer_check, answer_fit, response_keys
from ..bank.services import blueprint_draw, question_pool
from ..grading import grade, to_decimal
from ..models import Attempt, AttemptItem, ExamSession, Paper, QuestionVersion, ReviewWhen

TWO = Decimal("0.01")


@transaction.atomic
def exam_session_create(
    *,
    actor: Any,
    organization: Organization,
    paper: Paper,
    title: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    duration_minutes: int = 60,
    attempts_allowed: int = 1,
    shuffle_questions: bool = True,
    shuffle_options: bool = True,
    pass_percent: Decimal | int = 60,
    double_marking: bool = False,
    marking_tolerance: Decimal | int = 2,
    invigilation: str = "",
    review_marks: str = ReviewWhen.AFTER_ATTEMPT,
    review_correctness: str = ReviewWhen.AFTER_CLOSE,
    review_answers: str = ReviewWhen.AFTER_CLOSE,
    review_explanations: str = ReviewWhen.AFTER_CLOSE,
    candidates: list[Any] | None = None,
    candidate_organizations: list[Organization] | None = None,
) -> ExamSession:
    access.require(actor, "learning.change_examsession", organization)
    if not paper.organization.path.startswith(
        organization.path
    ) and not organization.path.startswith(paper.organization.path):
        raise ValidationError({"paper": [_("The paper belongs to an unrelated organization.")]})
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": [_("The session must close after it opens.")]})
    if duration_minutes < 1:
        raise ValidationError(
            {"duration_minutes": [_("The duration must be at least one minute.")]}
        )
    for org in candidate_organizations or []:
        if not org.path.startswith(organization.path):
            raise ValidationError(
                {
                    "candidate_organizations": [
                        _("Candidate organizations must be inside the organizer.")
                    ]
                }
            )
    session = ExamSession(
        organization=organization,
        paper=paper,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        duration_minutes=duration_minutes,
        attempts_allowed=attempts_allowed,
        shuffle_questions=shuffle_questions,
        shuffle_options=shuffle_options,
        pass_percent=Decimal(pass_percent),
        double_marking=double_marking,
        marking_tolerance=Decimal(marking_tolerance),
        invigilation=invigilation,
        review_marks=review_marks,
        review_correctness=review_correctness,
        review_answers=review_answers,
        review_explanations=review_explanations,
        created_by=user_or_none(actor),
    )
    session.full_clean(exclude=["created_by"])
    session.save()
    if candidates:
        session.candidates.set(candidates)
    if candidate_organizations:
        session.candidate_organizations.set(candidate_organizations)
    audit_record(
        actor=actor,
        action="exam_session.create",
        obj=session,
        details={"paper": paper.code, "opens_at": opens_at, "closes_at": closes_at},
    )
    return session


def candidate_sessions(user: Any) -> QuerySet[ExamSession]:
    """Sessions the user is a candidate of: named individually, or a worker inside a candidate organisation."""
    if not getattr(user, "is_authenticated", False):
        return ExamSession.objects.none()
    paths = [p for role, p, _id in access.memberships_of(user) if role == "worker"]
    q = Q(candidates=user)
    if paths:
        # a candidate organisation whose path is a prefix of one of the user's worker organisations
        org_ids = [
            o.pk
            for o in Organization.objects.filter(is_active=True).filter(
                path__in={
                    p[: i + Organization.SEGMENT]
                    for p in paths
                    for i in range(0, len(p), Organization.SEGMENT)
                }
            )
        ]
        q |= Q(candidate_organizations__in=org_ids)
    return ExamSession.objects.filter(q).distinct()


def is_candidate(user: Any, session: ExamSession) -> bool:
    return candidate_sessions(user).filter(pk=session.pk).exists()


def session_candidates(session: ExamSession) -> QuerySet[Any]:
    """Every user who is a candidate of the session."""
    User = get_user_model()
    q = Q(exam_sessions=session)
    org_q = Q(pk__in=[])
    for org in session.candidate_organizations.all():
        org_q |= Q(organization__path__startswith=org.path)
    workers = Membership.objects.filter(org_q, role="worker").values("user_id")
    return User.objects.filter(q | Q(pk__in=workers)).distinct()


def _build_items(session: ExamSession, rng: random.Random) -> list[tuple[QuestionVersion, Decimal]]:
    paper = session.paper
    if paper.mode == Paper.Mode.BLUEPRINT:
        pool = question_pool(paper.organization)
        pairs = blueprint_draw(pool, paper.blueprint, rng)
        versions = {
            q.pk: q.current
            for q in pool.filter(pk__in=[p[0] for p in pairs]).select_related("current")
        }
        return [(versions[qid], score or versions[qid].score) for qid, score in pairs]
    items = paper.items.select_related("question__current").order_by("position")
    return [(i.question.current, i.score or i.question.current.score) for i in items]


def _lazy_submit(attempt: Attempt, now: dt.datetime | None = None) -> Attempt:
    """Submit an attempt whose deadline has passed (any access after the deadline does this)."""
    now = now or timezone.now()
    if attempt.status == Attempt.Status.IN_PROGRESS and now >= attempt.deadline:
        return attempt_submit_locked(attempt.pk, auto=True, now=now)
    return attempt


@transaction.atomic
def exam_attempt_start(
    *, actor: Any, session: ExamSession, now: dt.datetime | None = None
) -> Attempt:
    """Start an attempt, or return the one in progress (resume)."""
    now = now or timezone.now()
    if not is_candidate(actor, session):
        raise Http404("exam session")
    # lock the candidate's attempts of this session so two clicks start one attempt
    existing = list(
        Attempt.objects.select_for_update().filter(session=session, user=actor).order_by("number")
    )
    for attempt in existing:
        if attempt.status == Attempt.Status.IN_PROGRESS:
            attempt = _lazy_submit(attempt, now)
            if attempt.status == Attempt.Status.IN_PROGRESS:
                return attempt
    if not session.is_open(now):
        raise ConflictError(_("The exam session is not open."), code="session_closed")
    if len(existing) >= session.attempts_allowed:
        raise ConflictError(_("No attempts left."), code="no_attempts_left")
    seed = secrets.randbits(62)
    rng = random.Random(seed)
    items = _build_items(session, rng)
    if session.shuffle_questions:
        rng.shuffle(items)
    deadline = min(now + dt.timedelta(minutes=session.duration_minutes), session.closes_at)
    attempt = Attempt.objects.create(
        session=session,
        organization=session.organization,
        user=actor,
        number=len(existing) + 1,
        seed=seed,
        started_at=now,
        deadline=deadline,
        max_score=sum((s for _v, s in items), Decimal(0)),
    )
    rows = []
    for position, (version, score) in enumerate(items, start=1):
        order = [o["key"] for o in version.options]
        if session.shuffle_options and order:
            rng.shuffle(order)
        rows.append(
            AttemptItem(
                attempt=attempt,
                position=position,
                version=version,
                option_order=order,
                max_score=score,
            )
        )
    AttemptItem.objects.bulk_create(rows)
    QuestionVersion.objects.filter(pk__in={v.pk for v, _s in items}, used=False).update(used=True)
    audit_record(
        actor=actor, action="attempt.start", obj=attempt, details={"items": len(rows), "seed": seed}
    )
    return attempt


def attempt_get_for_candidate(*, actor: Any, code: str) -> Attempt:
    """The candidate's own attempt (404 for anyone else's); submits it if its deadline passed."""
    attempt = Attempt.objects.select_related("session").filter(code=code, user=actor).first()
    if attempt is None or not getattr(actor, "is_authenticated", False):
        raise Http404("attempt")
    return _lazy_submit(attempt)


# One save is the hottest request of the platform (every candidate, every few seconds), so it is
# written as plain SQL: no model instances, no separate ownership read, no explicit transaction.
# On PostgreSQL it is ONE statement (its own transaction): the attempt row is updated (which locks
# it, so a save and the submission never interleave) only when it is the caller's, still open and
# before its deadline, and holds that position with a question the answer fits (type, options,
# blanks: ``answers.answer_fit``); the item is updated only when the new sequence number is higher.
# Elsewhere (SQLite) the same two UPDATEs run in one transaction.
_FITS_SQLITE = """EXISTS (SELECT 1 FROM learning_questionversion v
                  WHERE v.id = learning_attemptitem.version_id
                    AND instr(%s, ',' || v.qtype || ',') > 0
                    AND (v.qtype NOT IN ('single', 'multiple')
                         OR json_array_length(v.options) >= %s)
                    AND (v.qtype <> 'fill'
                         OR max(1, coalesce(json_array_length(v.answer), 0)) >= %s))"""
_FITS_PG = """EXISTS (SELECT 1 FROM learning_questionversion v
                  WHERE v.id = learning_attemptitem.version_id
                    AND position(',' || v.qtype || ',' IN %(fits)s) > 0
                    AND (v.qtype NOT IN ('single', 'multiple')
                         OR CASE WHEN jsonb_typeof(v.options) = 'array'
                                 THEN jsonb_array_length(v.options) ELSE 0 END >= %(need_options)s)
                    AND (v.qtype <> 'fill'
                         OR GREATEST(1, CASE WHEN jsonb_typeof(v.answer) = 'array'
                                 THEN jsonb_array_length(v.answer) ELSE 0 END) >= %(need_blanks)s))"""
_SAVE_ATTEMPT_SQL = f"""
    UPDATE learning_attempt SET last_position = %s
    WHERE code = %s AND user_id = %s AND status = 'in_progress' AND deadline > %s
      AND EXISTS (SELECT 1 FROM learning_attemptitem
                  WHERE attempt_id = learning_attempt.id AND position = %s AND {_FITS_SQLITE})
    RETURNING id, deadline"""
_SAVE_ITEM_SQL = """
    UPDATE learning_attemptitem SET response = %s, seq = %s, saved_at = %s
    WHERE attempt_id = %s AND position = %s AND seq < %s"""
# The one statement on PostgreSQL. ``{ctes}`` and ``{holds}`` are empty/TRUE for a caller whose
# session was checked before (``_answer_store``), or the pinned-session check of
# ``core.auth.session_guard_sql`` (``exam_answer_save_pinned``): then nothing changes unless the
# session still holds. It answers one row: does the session hold, the attempt's id and deadline
# (NULL when the attempt refused), whether the item was stored, and the item's sequence number
# before this statement (what a retried or older save reports).
_SAVE_PG_TEMPLATE = """
    WITH {ctes}a AS (
        UPDATE learning_attempt SET last_position = %(position)s
        WHERE code = %(code)s AND user_id = %(gj_user)s AND status = 'in_progress'
          AND deadline > %(gj_now)s
          AND EXISTS (SELECT 1 FROM learning_attemptitem
                      WHERE attempt_id = learning_attempt.id AND position = %(position)s
                        AND {fits})
          AND {holds}
        RETURNING id, deadline
    ), i AS (
        UPDATE learning_attemptitem SET response = %(response)s, seq = %(seq)s, saved_at = %(gj_now)s
        FROM a
        WHERE learning_attemptitem.attempt_id = a.id AND learning_attemptitem.position = %(position)s
          AND learning_attemptitem.seq < %(seq)s
        RETURNING 1
    )
    SELECT {holds}, a.id, a.deadline, (SELECT count(*) FROM i),
           (SELECT seq FROM learning_attemptitem
            WHERE attempt_id = a.id AND position = %(position)s)
    FROM (SELECT 1) AS one LEFT JOIN a ON TRUE"""
_SAVE_PG_SQL = _SAVE_PG_TEMPLATE.format(ctes="", holds="TRUE", fits=_FITS_PG)


def _as_datetime(value: Any) -> dt.datetime:
    """A datetime read by raw SQL: aware on PostgreSQL, a naive UTC string on SQLite."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def _answer_store(
    *,
    code: str,
    user_id: int,
    position: int,
    response: Any,
    seq: int,
    now: dt.datetime,
    fit: AnswerFit,
) -> tuple[int, dt.datetime, bool] | None:
    """Store one answer if the attempt is the user's, open, before its deadline and has that
    position with a question the answer fits (``fit``). Returns (attempt id, deadline, stored) —
    stored is False when the item already holds this or a higher sequence number — or None when the
    attempt refused the save."""
    from django.db import connection

    when = Attempt._meta.get_field("deadline").get_db_prep_value(now, connection)
    value = AttemptItem._meta.get_field("response").get_db_prep_save(response, connection)
    if connection.vendor == "postgresql":
        with prepared_cursor() as cursor:
            cursor.execute(
                _SAVE_PG_SQL,
                {
                    "code": code,
                    "gj_user": user_id,
                    "gj_now": when,
                    "position": position,
                    "response": value,
                    "seq": seq,
                    "fits": fit.sql_types(),
                    "need_options": fit.need_options,
                    "need_blanks": fit.need_blanks,
                },
            )
            _holds, attempt_id, deadline, stored, _current = cursor.fetchone()
        return None if attempt_id is None else (attempt_id, _as_datetime(deadline), bool(stored))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _SAVE_ATTEMPT_SQL,
            [
                position,
                code,
                user_id,
                when,
                position,
                fit.sql_types(),
                fit.need_options,
                fit.need_blanks,
            ],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(_SAVE_ITEM_SQL, [value, seq, when, row[0], position, seq])
        return row[0], _as_datetime(row[1]), cursor.rowcount > 0


def exam_answer_save_by_code(
    *,
    actor: Any,
    code: str,
    position: int,
    response: Any,
    seq: int,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Save one answer of the caller's attempt ``code`` as given. Idempotent by ``seq``: a save whose
    sequence number is not higher than the stored one changes nothing. Returns {"saved", "seq",
    "seconds_left"}. Someone else's (or no) attempt → 404; after the deadline → 409
    ``deadline_passed`` (and the attempt is submitted); no such position → 422.

    The usual case is one statement; the reasons for a refusal are looked up only after one."""
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False):
        raise Http404("attempt")
    if seq < 1:
        raise ValidationError({"seq": [_("The sequence number must be positive.")]})
    fit = answer_fit(response)
    if not fit.fits_any:
        raise ValidationError({"response": [_("This is not an answer to any question type.")]})
    stored = _answer_store(
        code=code,
        user_id=actor.pk,
        position=position,
        response=response,
        seq=seq,
        now=now,
        fit=fit,
    )
    if stored is None:
        # refused: the attempt is not the caller's, or it is closed, or it has no such position
        # (none of these can change back once it holds, so this later read names the reason)
        attempt = Attempt.objects.filter(code=code, user=actor).first()
        if attempt is None:
            raise Http404("attempt")
        if attempt.status != Attempt.Status.IN_PROGRESS or now >= attempt.deadline:
            _lazy_submit(attempt, now)
            raise ConflictError(
                _("Time is up: the attempt has been submitted and answers are no longer accepted."),
                code="deadline_passed",
            )
        question = (
            AttemptItem.objects.filter(attempt=attempt, position=position)
            .values_list("version__qtype", "version__options", "version__answer")
            .first()
        )
        if question is None:
            raise ValidationError({"position": [_("No such question in this attempt.")]})
        answer_check(*question, response)  # the answer does not fit the question: say why
        raise ValidationError({"response": [_("This answer does not fit the question.")]})
    attempt_id, deadline, saved = stored
    if saved:
        current = seq
    else:  # a retry or an older save: report the sequence number the item holds now
        current = (
            AttemptItem.objects.filter(attempt_id=attempt_id, position=position)
            .values_list("seq", flat=True)
            .first()
        )
    return {
        "saved": saved,
        "seq": current,
        "seconds_left": max(0, int((deadline - now).total_seconds())),
    }


SESSION_REFUSED = "session_refused"


@functools.cache
def _guarded_save_sql(alias: str) -> str:
    from django.db import connections

    from gongjiang.core.auth import session_guard_sql

    guard, holds = session_guard_sql(connections[alias])
    return _SAVE_PG_TEMPLATE.format(ctes=guard + ", ", holds=holds, fits=_FITS_PG)


def exam_answer_save_pinned(
    *,
    pin: Any,
    code: str,
    position: int,
    response: Any,
    seq: int,
    now: dt.datetime | None = None,
) -> dict[str, Any] | str | None:
    """``exam_answer_save_by_code`` for the caller of a pinned session (``core.auth.SessionPin``),
    in one statement that also checks the session (PostgreSQL only). Returns the same dict when the
    answer was stored or was already held; ``SESSION_REFUSED`` when the session no longer holds
    (nothing was changed: check the session in full); None when the attempt refused the save
    (nothing was changed: ``exam_answer_save_by_code`` names the reason)."""
    from django.db import connection

    from gongjiang.core.auth import session_guard_params

    now = now or timezone.now()
    if seq < 1:
        raise ValidationError({"seq": [_("The sequence number must be positive.")]})
    fit = answer_fit(response)
    if not fit.fits_any:
        return None  # the full path names the problem
    sql = _guarded_save_sql(connection.alias)
    params = session_guard_params(pin, now)
    params.update(
        code=code,
        position=position,
        seq=seq,
        response=AttemptItem._meta.get_field("response").get_db_prep_save(response, connection),
        fits=fit.sql_types(),
        need_options=fit.need_options,
        need_blanks=fit.need_blanks,
    )
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        held, attempt_id, deadline, stored, current = cursor.fetchone()
    if not held:
        return SESSION_REFUSED
    if attempt_id is None:
        return None  # refused (or the answer does not fit the question): the full path says why
    return {
        "saved": bool(stored),
        "seq": seq if stored else current,
        "seconds_left": max(0, int((_as_datetime(deadline) - now).total_seconds())),
    }


def exam_answer_save(
    *,
    actor: Any,
    attempt: Attempt,
    position: int,
    response: Any,
    seq: int,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """``exam_answer_save_by_code`` for an attempt already loaded (pages, demo, tests)."""
    if attempt.user_id != actor.pk:
        raise Http404("attempt")
    return exam_answer_save_by_code(
        actor=actor, code=attempt.code, position=position, response=response, seq=seq, now=now
    )


def _grade_item(item: AttemptItem) -> tuple[Decimal | None, str]:
    version = item.version
    if version.is_objective:
        return grade(
            version.qtype, version.answer, response_keys(item), item.max_score, version.scoring_rule
        ), AttemptItem.Marking.AUTO
    if item.response in (None, "", []) and version.qtype == "short":
        return Decimal("0.00"), AttemptItem.Marking.DONE  # nothing written: nothing to mark
    return None, AttemptItem.Marking.PENDING


def attempt_finalize(attempt: Attempt) -> Attempt:
    """Total the items; complete the attempt when every item has a score. Call inside a transaction."""
    items = list(attempt.items.only("score", "max_score"))
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return attempt
    if any(i.score is None for i in items):
        attempt.status = Attempt.Status.MARKING
        attempt.score = attempt.percent = attempt.passed = None
    else:
        attempt.status = Attempt.Status.COMPLETE
        attempt.score = sum((i.score for i in items), Decimal(0))
        attempt.percent = (
            to_decimal(attempt.score * 100 / attempt.max_score) if attempt.max_score else Decimal(0)
        )
        attempt.passed = attempt.percent >= attempt.session.pass_percent
    attempt.save(update_fields=["status", "score", "percent", "passed"])
    if attempt.status == Attempt.Status.COMPLETE:
        transaction.on_commit(lambda: _notify_result(attempt.pk))
    return attempt


def _notify_result(attempt_id: int) -> None:
    """Hook for other apps (certification reads results through selectors.exam_result_for)."""


def attempt_submit_locked(
    attempt_id: int, *, auto: bool, actor: Any = None, now: dt.datetime | None = None
) -> Attempt:
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("session")
            .get(pk=attempt_id)
        )
        if attempt.status != Attempt.Status.IN_PROGRESS:
            return attempt
        now = now or timezone.now()
        items = list(attempt.items.select_related("version"))
        for item in items:
            item.score, item.marking = _grade_item(item)
        AttemptItem.objects.bulk_update(items, ["score", "marking"])
        attempt.status = Attempt.Status.MARKING
        attempt.submitted_at = min(now, attempt.deadline) if auto else now
        attempt.auto_submitted = auto
        attempt.save(update_fields=["status", "submitted_at", "auto_submitted"])
        attempt_finalize(attempt)
        audit_record(
            actor=actor if actor is not None else None,
            action="attempt.submit",
            obj=attempt,
            details={"auto": auto, "status": attempt.status},
        )
    return attempt


def exam_attempt_submit(*, actor: Any, attempt: Attempt) -> Attempt:
    if attempt.user_id != actor.pk:
        raise Http404("attempt")
    late = timezone.now() >= attempt.deadline
    return attempt_submit_locked(attempt.pk, auto=late, actor=actor)


def exam_autosubmit_due(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Submit every attempt still open at its deadline. Returns how many were submitted."""
    now = now or timezone.now()
    ids = list(
        Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS, deadline__lte=now)
        .order_by("deadline")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        attempt_submit_locked(pk, auto=True, now=now)
    return len(ids)
