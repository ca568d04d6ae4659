"""Services and reads of the technical exchange (技术交流): the one place pages and the API ask,
answer, vote, accept, report and hide.

Who sees what: every logged-in user reads the questions and answers that are not hidden (shared
knowledge across the platform); of an author only the name and the employer are shown. Hidden
posts are gone (404) for everyone except the moderators whose roles cover the author's
organisation (``innovation.moderate_exchange``: admins and officers of that subtree).
Rules: one vote per user and post, never on one's own post; only the asker accepts, one answer,
never their own; a moderator never hides their own post. Every change is audited.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Count, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.errors import ApplicationError, field_error
from gongjiang.core.models import Occupation, Organization
from gongjiang.core.pinyin import pinyin_initials, pinyin_key

from .models import Result
from .models_exchange import MODERATE, Answer, ExchangeReport, ExchangeVote, Question

ASK = "innovation.use_exchange"
# reputation: an accepted answer counts most; votes on one's answers and questions count too
REPUTATION_ACCEPTED = 15
REPUTATION_ANSWER_UP = 10
REPUTATION_QUESTION_UP = 5
REPUTATION_DOWN = -2
# 技师 (rank 5) and above on the registry's ladder
EXPERT_MIN_RANK = 5
LIMITS = {"title": 120, "topic": 40, "body": 5000, "reason": 300}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# ----------------------------------------------------------------------------- who and where


def _worker(user: Any) -> Any:
    return getattr(user, "worker", None) if getattr(user, "is_authenticated", False) else None


def author_of(user: Any) -> tuple[Organization, str, str]:
    """The organisation a post belongs to and what it shows of its author (name, employer)."""
    worker = _worker(user)
    if worker is not None:
        return worker.organization, worker.name, worker.employer.name
    orgs = [org_id for _r, _p, org_id in access.memberships_of(user)]
    if not orgs:
        raise ApplicationError(
            _("Only members of an organisation take part in the exchange."),
            code="no_organisation",
            status=403,
        )
    org = Organization.objects.get(pk=orgs[0])
    return org, (user.get_full_name() or user.get_username())[:60], org.name


def expert_reasons(users: Iterable[Any]) -> dict[int, str]:
    """Users marked as experts, with why: a skill level of 技师 and above in the registry, or
    whatever another provider registered in ``EXPERT_PROVIDERS`` (e.g. studio leaders)."""
    from gongjiang.workforce.models import Worker

    ids = [u if isinstance(u, int) else u.pk for u in users if u is not None]
    out: dict[int, str] = {}
    if not ids:
        return out
    for user_id, level in Worker.objects.filter(
        user_id__in=ids, skill_level__rank__gte=EXPERT_MIN_RANK, status="active"
    ).values_list("user_id", "skill_level__name_zh"):
        out[user_id] = level
    for provider in EXPERT_PROVIDERS:
        for user_id, reason in provider(ids).items():
            out.setdefault(user_id, reason)
    return out


# other modules (studios: 工作室领衔人) add a callable ids → {user id: reason}
EXPERT_PROVIDERS: list[Any] = []


def reputation_of(user_ids: Iterable[int]) -> dict[int, int]:
    """Reputation per user: accepted answers, and up/down votes on their visible posts."""
    ids = list({i for i in user_ids if i})
    rep = dict.fromkeys(ids, 0)
    if not ids:
        return rep
    for row in (
        Answer.objects.filter(author_id__in=ids, is_hidden=False)
        .values("author_id")
        .annotate(
            accepted=Count("pk", filter=Q(question__accepted_answer=F("pk"))),
            ups=Count("votes", filter=Q(votes__value=1)),
            downs=Count("votes", filter=Q(votes__value=-1)),
        )
    ):
        rep[row["author_id"]] += (
            row["accepted"] * REPUTATION_ACCEPTED
            + row["ups"] * REPUTATION_ANSWER_UP
            + row["downs"] * REPUTATION_DOWN
        )
    for row in (
        Question.objects.filter(author_id__in=ids, is_hidden=False)
        .values("author_id")
        .annotate(
            ups=Count("votes", filter=Q(votes__value=1)),
            downs=Count("votes", filter=Q(votes__value=-1)),
        )
    ):
        rep[row["author_id"]] += (
            row["ups"] * REPUTATION_QUESTION_UP + row["downs"] * REPUTATION_DOWN
        )
    return rep


# ----------------------------------------------------------------------------- reads


def _moderated(actor: Any, qs: QuerySet) -> QuerySet:
    """Posts shown to ``actor``: all not hidden, plus hidden ones from the subtree they moderate."""
    paths = access.scope_paths(actor, MODERATE)
    if paths is None:
        return qs
    from gongjiang.core.scoping import prefix_q

    return qs.filter(
        Q(is_hidden=False) | (Q(is_hidden=True) & prefix_q("organization__path", paths))
    )


def _require_user(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(ASK)


def question_list(
    *,
    actor: Any,
    q: str = "",
    occupation: str = "",
    topic: str = "",
    unanswered: bool = False,
    mine: bool = False,
) -> QuerySet[Question]:
    """Questions, newest first; ``q`` by Chinese word or by pinyin ("hanjie", "hj")."""
    _require_user(actor)
    qs = Question.objects.filter(is_hidden=False)
    q = re.sub(r"\s+", " ", _CONTROL.sub("", q or "")).strip()[:50]
    if q:
        match = _contains(q.lower())
        key = pinyin_key(q) if q.isascii() else ""
        if key and key != q.lower():
            match |= _contains(key)
        qs = qs.filter(match)
    if occupation:
        qs = qs.filter(occupation__code__startswith=occupation[:20])
    if topic:
        qs = qs.filter(topic=topic[:40])
    if unanswered:
        qs = qs.filter(accepted_answer__isnull=True)
    if mine:
        qs = qs.filter(author=actor)
    return qs.select_related("occupation", "method")


def question_get(*, actor: Any, code: str) -> Question:
    _require_user(actor)
    qs = _moderated(actor, Question.objects.select_related("occupation", "method", "organization"))
    try:
        return qs.get(code=code)
    except Question.DoesNotExist as exc:
        raise Http404("question") from exc


def answer_get(*, actor: Any, code: str) -> Answer:
    _require_user(actor)
    qs = _moderated(actor, Answer.objects.select_related("question", "organization"))
    try:
        answer = qs.get(code=code)
    except Answer.DoesNotExist as exc:
        raise Http404("answer") from exc
    question_get(actor=actor, code=answer.question.code)  # a hidden question hides its answers
    return answer


def answers_of(*, actor: Any, question: Question) -> QuerySet[Answer]:
    return _moderated(actor, question.answers.all())


def my_votes(*, actor: Any, question: Question, answers: list[Answer]) -> dict[str, int]:
    """The actor's votes on a question and its answers: {"q": value, <answer code>: value}."""
    out: dict[str, int] = {}
    codes = {a.pk: a.code for a in answers}
    for q_id, a_id, value in (
        ExchangeVote.objects.filter(user_id=actor.pk)
        .filter(Q(question=question) | Q(answer_id__in=list(codes)))
        .values_list("question_id", "answer_id", "value")
    ):
        out["q" if q_id else codes[a_id]] = value
    return out


def topics() -> list[str]:
    return list(
        Question.objects.filter(is_hidden=False)
        .exclude(topic="")
        .values("topic")
        .annotate(n=Count("pk"))
        .order_by("-n", "topic")
        .values_list("topic", flat=True)[:20]
    )


def methods(*, q: str = "") -> QuerySet[Result]:
    """先进操作法 with a page of their own: adopted, published methods (as on the showcase)."""
    from . import selectors

    return selectors.showcase(q=q).filter(kind=Result.Kind.METHOD)


def reports_open(*, actor: Any) -> QuerySet[ExchangeReport]:
    """Open reports on posts from the subtree the moderator covers."""
    from gongjiang.core.scoping import prefix_q

    paths = access.scope_paths(actor, MODERATE)
    if paths == []:
        raise PermissionDenied(MODERATE)
    qs = ExchangeReport.objects.filter(resolved_at__isnull=True)
    if paths is not None:
        qs = qs.filter(prefix_q("organization__path", paths))
    return qs.select_related("question", "answer", "answer__question")


# ----------------------------------------------------------------------------- services


def _text(value: str, field: str, *, required: bool = True) -> str:
    value = _CONTROL.sub("", value or "").strip()
    if required and not value:
        raise field_error(field, _("This field is required."), "required", status=422)
    if len(value) > LIMITS[field]:
        raise field_error(
            field,
            _("At most %(n)s characters.") % {"n": LIMITS[field]},
            "too_long",
            status=422,
        )
    return value


# a short term found in more questions than this is read with LIKE (the newest-first walk stops
# early for the page, and counting that many rows through the index costs more than the scan)
SHORT_TERM_ROWS = 2000


def _contains(term: str) -> Q:
    """The search column contains ``term``. On PostgreSQL a term of one or two characters has no
    trigram for the pg_trgm index; when the planner's statistics of the ``search_grams`` column
    (migration 0009: every one- and two-character piece, kept by a trigger, GIN-indexed) expect it
    in at most ``SHORT_TERM_ROWS`` questions, it is looked up there — the same rows as ``LIKE``,
    as no term holds whitespace — instead of a scan of every question."""
    if len(term) <= 2 and connection.vendor == "postgresql" and not re.search(r"\s", term):
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (FORMAT JSON) SELECT 1 FROM innovation_question "
                "WHERE search_grams @> ARRAY[%s]::text[]",
                [term],
            )
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        if plan[0]["Plan"]["Plan Rows"] <= SHORT_TERM_ROWS:
            return Q(
                RawSQL(
                    "innovation_question.search_grams @> ARRAY[%s]::text[]",
                    [term],
                    output_field=BooleanField(),
                )
            )
    return Q(search_text__contains=term)


def _search_keys(title: str, topic: str) -> tuple[str, str]:
    text = f"{title} {topic}"
    return pinyin_key(text)[:1000], pinyin_initials(text)[:200]


def search_text(*, title: str, topic: str, body: str, pinyin: str, initials: str) -> str:
    """The one column search reads: the words in lower case, then pinyin and initials, one per
    line (a search term, stripped of control characters, never spans two of them)."""
    return "\n".join((title.lower(), topic.lower(), body.lower(), pinyin, initials))


@transaction.atomic
def question_ask(
    *,
    actor: Any,
    title: str,
    body: str,
    topic: str = "",
    occupation: Occupation | None = None,
    method: Result | None = None,
) -> Question:
    _require_user(actor)
    org, name, employer = author_of(actor)
    title = _text(title, "title")
    topic = _text(topic, "topic", required=False)
    body = _text(body, "body")
    if method is not None and not methods().filter(pk=method.pk).exists():
        raise field_error("method", _("No such published operating method."), "unknown", status=422)
    pinyin, initials = _search_keys(title, topic)
    question = Question(
        organization=org,
        author=actor,
        author_name=name,
        author_employer=employer[:200],
        title=title,
        topic=topic,
        body=body,
        occupation=occupation,
        method=method,
        search_pinyin=pinyin,
        search_initials=initials,
        search_text=search_text(
            title=title, topic=topic, body=body, pinyin=pinyin, initials=initials
        ),
    )
    question.full_clean(exclude=["accepted_answer"])
    question.save()
    audit_record(actor=actor, action="innovation.exchange_ask", obj=question, organization=org)
    return question


@transaction.atomic
def answer_post(*, actor: Any, question: Question, body: str) -> Answer:
    _require_user(actor)
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.is_hidden:
        raise Http404("question")
    org, name, employer = author_of(actor)
    answer = Answer(
        question=question,
        organization=org,
        author=actor,
        author_name=name,
        author_employer=employer[:200],
        body=_text(body, "body"),
    )
    answer.full_clean()
    answer.save()
    Question.objects.filter(pk=question.pk).update(answer_count=F("answer_count") + 1)
    audit_record(
        actor=actor,
        action="innovation.exchange_answer",
        obj=answer,
        organization=org,
        details={"question": question.code},
    )
    return answer


@transaction.atomic
def post_vote(*, actor: Any, post: Question | Answer, value: int) -> int:
    """Vote +1 or −1 (0 takes one's vote back); returns the post's new score."""
    _require_user(actor)
    if value not in (-1, 0, 1):
        raise field_error("value", _("A vote is 1, -1 or 0."), "invalid", status=422)
    model = type(post)
    post = model.objects.select_for_update().get(pk=post.pk)
    if post.is_hidden:
        raise Http404("post")
    if post.author_id == actor.pk:
        raise ApplicationError(_("You cannot vote on your own post."), code="own_post", status=409)
    key = {"question": post} if model is Question else {"answer": post}
    old = ExchangeVote.objects.filter(user=actor, **key).first()
    delta = value - (old.value if old else 0)
    if old and value == 0:
        old.delete()
    elif old:
        old.value = value
        old.save(update_fields=["value"])
    elif value:
        ExchangeVote.objects.create(user=actor, value=value, **key)
    if delta:
        model.objects.filter(pk=post.pk).update(score=F("score") + delta)
    audit_record(
        actor=actor,
        action="innovation.exchange_vote",
        obj=post,
        organization=post.organization,
        details={"value": value},
    )
    return post.score + delta


@transaction.atomic
def answer_accept(*, actor: Any, answer: Answer) -> Question:
    """The asker accepts one answer (accepting another replaces it); never their own."""
    _require_user(actor)
    question = Question.objects.select_for_update().get(pk=answer.question_id)
    if question.author_id != actor.pk:
        raise ApplicationError(_("Only the asker accepts an answer."), code="not_asker", status=403)
    if answer.is_hidden or question.is_hidden:
        raise Http404("answer")
    if answer.author_id == actor.pk:
        raise ApplicationError(_("You cannot accept your own answer."), code="own_post", status=409)
    question.accepted_answer = answer
    question.save(update_fields=["accepted_answer"])
    audit_record(
        actor=actor,
        action="innovation.exchange_accept",
        obj=question,
        organization=question.organization,
        details={"answer": answer.code},
    )
    return question


@transaction.atomic
def post_report(*, actor: Any, post: Question | Answer, reason: str) -> ExchangeReport:
    _require_user(actor)
    reason = _text(reason, "reason")
    key = {"question": post} if isinstance(post, Question) else {"answer": post}
    report = ExchangeReport(organization=post.organization, user=actor, reason=reason, **key)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("You have already reported this."), code="already_reported", status=409
        ) from exc
    audit_record(
        actor=actor,
        action="innovation.exchange_report",
        obj=post,
        organization=post.organization,
        details={"reason": reason},
    )
    return report


@transaction.atomic
def post_hide(*, actor: Any, post: Question | Answer, reason: str, hide: bool = True) -> Any:
    """A moderator of the author's subtree hides a post (or shows it again); the open reports on
    it are resolved. A moderator never rules on their own post."""
    access.require(actor, MODERATE, post.organization)
    if post.author_id == actor.pk:
        raise ApplicationError(
            _("Someone else moderates your own post."), code="separation_of_duties", status=403
        )
    reason = _text(reason, "reason", required=hide)
    model = type(post)
    post = model.objects.select_for_update().get(pk=post.pk)
    post.is_hidden = hide
    post.hidden_by = actor if hide else None
    post.hidden_reason = reason if hide else ""
    post.save(update_fields=["is_hidden", "hidden_by", "hidden_reason"])
    key = {"question": post} if model is Question else {"answer": post}
    ExchangeReport.objects.filter(resolved_at__isnull=True, **key).update(
        resolved_by=actor, resolved_at=timezone.now()
    )
    if model is Answer:
        shown = Answer.objects.filter(question_id=post.question_id, is_hidden=False).count()
        Question.objects.filter(pk=post.question_id).update(answer_count=shown)
    audit_record(
        actor=actor,
        action="innovation.exchange_hide" if hide else "innovation.exchange_unhide",
        obj=post,
        organization=post.organization,
        details={"reason": reason},
    )
    return post
