"""Acts on the question bank and papers (exams: ``exams.py``; marking: ``marking.py``;
practice: ``practice.py``; import/export: ``bank_io.py``).

Services take keyword-only arguments starting with ``actor``, check permission at the door, run in
one transaction, ``full_clean()`` before saving and write the audit log inside.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import user_or_none
from gongjiang.core.audit import audit_record
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization

from ..grading import validate_answer
from ..models import Paper, PaperItem, Question, QuestionType, QuestionVersion, ScoringRule
from ..sanitize import sanitize_html

OPTION_KEYS = string.ascii_uppercase[:8]  # A … H
CONTENT_FIELDS = (
    "stem",
    "options",
    "answer",
    "explanation",
    "rubric",
    "checklist",
    "scoring_rule",
    "score",
)
META_FIELDS = ("difficulty", "knowledge_point", "occupation", "skill_level", "score")


def _decimal(value: Any, field: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: [_("Enter a number.")]}) from exc
    if result <= 0 or result > 1000:
        raise ValidationError({field: [_("The score must be between 0 and 1000.")]})
    return result.quantize(Decimal("0.01"))


def normalize_options(options: Sequence[Any] | None) -> list[dict[str, str]]:
    """Options as [{"key": "A", "text": sanitised}] in order; accepts strings or dicts."""
    out: list[dict[str, str]] = []
    for option in options or []:
        text = option.get("text", "") if isinstance(option, dict) else str(option)
        text = sanitize_html(text)
        if not text:
            continue
        if len(out) >= len(OPTION_KEYS):
            raise ValidationError({"options": [_("At most eight options (A–H).")]})
        out.append({"key": OPTION_KEYS[len(out)], "text": text})
    return out


def normalize_answer(qtype: str, answer: Any) -> Any:
    from ..grading import as_bool, as_keys

    if qtype == QuestionType.SINGLE:
        keys = sorted(as_keys(answer))
        return keys[0] if len(keys) == 1 else "".join(keys)
    if qtype == QuestionType.MULTIPLE:
        return sorted(as_keys(answer))
    if qtype == QuestionType.TRUE_FALSE:
        return as_bool(answer)
    if qtype == QuestionType.FILL:
        blanks = []
        for blank in answer or []:
            alts = blank if isinstance(blank, list | tuple) else str(blank).split("|")
            blanks.append([str(a).strip() for a in alts if str(a).strip()])
        return blanks
    if qtype == QuestionType.SHORT:
        return str(answer or "")
    return None


def normalize_checklist(checklist: Sequence[Any] | None) -> list[dict[str, Any]]:
    out = []
    for entry in checklist or []:
        item = str(entry.get("item", "")).strip() if isinstance(entry, dict) else ""
        points = entry.get("points") if isinstance(entry, dict) else None
        if not item:
            continue
        out.append({"item": item[:300], "points": float(_decimal(points, "checklist"))})
    return out


#: the longest stem, explanation or rubric a question may have (the API's schema says the same)
TEXT_MAX_CHARS = 20_000


def question_content(
    *,
    qtype: str,
    stem: str,
    options: Sequence[Any] | None = None,
    answer: Any = None,
    explanation: str = "",
    rubric: str = "",
    checklist: Sequence[Any] | None = None,
    scoring_rule: str = ScoringRule.ALL_OR_NOTHING,
    score: Any = 1,
) -> dict[str, Any]:
    """Validate and normalise the content of a version; raises ValidationError naming the field."""
    if qtype not in QuestionType.values:
        raise ValidationError({"qtype": [_("Unknown question type.")]})
    too_long = {
        name: [
            _("At most %(max)d characters (this has %(n)d).")
            % {"max": TEXT_MAX_CHARS, "n": len(text)}
        ]
        for name, text in (("stem", stem), ("explanation", explanation), ("rubric", rubric))
        if len(text or "") > TEXT_MAX_CHARS
    }
    if too_long:  # before any sanitising: the API's limit, for every way a question comes in
        raise ValidationError(too_long)
    content: dict[str, Any] = {
        "stem": sanitize_html(stem),
        "options": normalize_options(options)
        if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE)
        else [],
        "answer": normalize_answer(qtype, answer),
        "explanation": sanitize_html(explanation or ""),
        "rubric": sanitize_html(rubric or ""),
        "checklist": normalize_checklist(checklist) if qtype == QuestionType.PRACTICAL else [],
        "scoring_rule": scoring_rule
        if scoring_rule in ScoringRule.values
        else ScoringRule.ALL_OR_NOTHING,
        "score": _decimal(score, "score"),
    }
    errors: dict[str, list[str]] = {}
    if not content["stem"]:
        errors["stem"] = [_("The stem is required.")]
    problems = validate_answer(qtype, content["options"], content["answer"])
    if problems:
        errors["answer"] = problems
    if qtype == QuestionType.PRACTICAL:
        if not content["checklist"]:
            errors["checklist"] = [_("A practical task needs a checklist of items with points.")]
        else:
            content["score"] = _decimal(
                sum(Decimal(str(i["points"])) for i in content["checklist"]), "score"
            )
    if errors:
        raise ValidationError(errors)
    return content


def _require(actor: Any, perm: str, organization: Organization) -> None:
    access.require(actor, perm, organization)


@transaction.atomic
def question_create(
    *,
    actor: Any,
    organization: Organization,
    qtype: str,
    stem: str,
    options: Any = None,
    answer: Any = None,
    explanation: str = "",
    rubric: str = "",
    checklist: Any = None,
    scoring_rule: str = ScoringRule.ALL_OR_NOTHING,
    score: Any = 1,
    difficulty: int = 3,
    knowledge_point: str = "",
    occupation: Any = None,
    skill_level: Any = None,
    audit: bool = True,
) -> Question:
    _require(actor, "learning.change_question", organization)
    content = question_content(
        qtype=qtype,
        stem=stem,
        options=options,
        answer=answer,
        explanation=explanation,
        rubric=rubric,
        checklist=checklist,
        scoring_rule=scoring_rule,
        score=score,
    )
    question = Question(
        organization=organization,
        qtype=qtype,
        difficulty=difficulty,
        knowledge_point=(knowledge_point or "").strip()[:100],
        occupation=occupation,
        skill_level=skill_level,
        score=content["score"],
        created_by=user_or_none(actor),
    )
    question.full_clean(exclude=["current", "created_by"])
    question.save()
    version = QuestionVersion(question=question, number=1, qtype=qtype, **content)
    version.full_clean(exclude=["question"])
    version.save()
    question.current = version
    Question.objects.filter(pk=question.pk).update(current=version)
    if audit:
        audit_record(actor=actor, action="question.create", obj=question, details={"qtype": qtype})
    return question


@transaction.atomic
def question_update(*, actor: Any, question: Question, **fields: Any) -> Question:
    """Change a question. Content changes to a version that was already used make a new version;
    attempts keep the version they saw."""
    _require(actor, "learning.change_question", question.organization)
    question = (
        Question.objects.select_for_update(of=("self",))
        .select_related("current")
        .get(pk=question.pk)
    )
    current = question.current
    assert current is not None
    merged = {f: fields.get(f, getattr(current, f)) for f in CONTENT_FIELDS}
    content = question_content(qtype=question.qtype, **merged)
    changed = [f for f in CONTENT_FIELDS if content[f] != getattr(current, f)]
    new_version = False
    if changed:
        if current.used:
            number = (question.versions.aggregate(n=models.Max("number"))["n"] or 0) + 1
            current = QuestionVersion.objects.create(
                question=question, number=number, qtype=question.qtype, **content
            )
            question.current = current
            new_version = True
        else:
            for f in CONTENT_FIELDS:
                setattr(current, f, content[f])
            current.save()
    for f in ("difficulty", "knowledge_point", "occupation", "skill_level"):
        if f in fields:
            setattr(
                question,
                f,
                fields[f] if f != "knowledge_point" else (fields[f] or "").strip()[:100],
            )
    question.score = content["score"]
    question.full_clean(exclude=["current", "created_by"])
    question.save()
    audit_record(
        actor=actor,
        action="question.update",
        obj=question,
        details={"changed": changed, "version": current.number, "new_version": new_version},
    )
    return question


@transaction.atomic
def question_set_active(*, actor: Any, question: Question, active: bool) -> Question:
    _require(actor, "learning.change_question", question.organization)
    question.is_active = active
    question.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor, action="question.activate" if active else "question.deactivate", obj=question
    )
    return question


# ------------------------------------------------------------------------------------ pools
def question_pool(organization: Organization) -> models.QuerySet[Question]:
    """Questions usable by papers and practice at ``organization``: active questions owned by it,
    by an organisation above it (a province's bank serves its enterprises), or below it."""
    step = Organization.SEGMENT
    ancestors = [organization.path[: i + step] for i in range(0, len(organization.path), step)]
    return Question.objects.filter(
        Q(organization__path__in=ancestors) | Q(organization__path__startswith=organization.path),
        is_active=True,
        current__isnull=False,
    )


def _cell_filter(cell: dict[str, Any]) -> dict[str, Any]:
    lookup: dict[str, Any] = {"qtype": cell["qtype"]}
    if cell.get("knowledge_point"):
        lookup["knowledge_point"] = cell["knowledge_point"]
    if cell.get("difficulty"):
        lookup["difficulty"] = int(cell["difficulty"])
    return lookup


def _cell_name(cell: dict[str, Any]) -> str:
    qtype = dict(QuestionType.choices).get(cell.get("qtype", ""), cell.get("qtype", "?"))
    return _("%(qtype)s × %(kp)s × difficulty %(d)s") % {
        "qtype": qtype,
        "kp": cell.get("knowledge_point") or _("any knowledge point"),
        "d": cell.get("difficulty") or _("any"),
    }


def _ordered_cells(blueprint: Sequence[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Most specific cells draw first so that a general cell does not take what a specific one needs."""
    return sorted(
        enumerate(blueprint),
        key=lambda p: (not p[1].get("knowledge_point"), not p[1].get("difficulty"), p[0]),
    )


def blueprint_normalize(blueprint: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    cells = []
    for index, cell in enumerate(blueprint or []):
        if cell.get("qtype") not in QuestionType.values:
            raise ValidationError(
                {"blueprint": [_("Row %(n)d: unknown question type.") % {"n": index + 1}]}
            )
        try:
            count = int(cell.get("count", 0))
        except (TypeError, ValueError):
            count = 0
        if count <= 0:
            raise ValidationError(
                {"blueprint": [_("Row %(n)d: the count must be at least 1.") % {"n": index + 1}]}
            )
        difficulty = cell.get("difficulty") or None
        if difficulty is not None and int(difficulty) not in range(1, 6):
            raise ValidationError(
                {"blueprint": [_("Row %(n)d: difficulty is 1 to 5.") % {"n": index + 1}]}
            )
        score = cell.get("score")
        cells.append(
            {
                "qtype": cell["qtype"],
                "knowledge_point": (cell.get("knowledge_point") or "").strip(),
                "difficulty": int(difficulty) if difficulty else None,
                "count": count,
                "score": str(_decimal(score, "blueprint")) if score not in (None, "") else None,
            }
        )
    if not cells:
        raise ValidationError({"blueprint": [_("A blueprint needs at least one row.")]})
    return cells


def blueprint_draw(
    pool: models.QuerySet[Question], blueprint: Sequence[dict[str, Any]], rng: random.Random | None
) -> list[tuple[int, Decimal | None]]:
    """Draw question ids for each cell (no question twice). ``rng=None`` only checks and returns
    the first ids. Raises ApplicationError naming the first cell the pool cannot satisfy."""
    taken: set[int] = set()
    drawn: dict[int, list[tuple[int, Decimal | None]]] = {}
    for index, cell in _ordered_cells(blueprint):
        ids = [
            i
            for i in pool.filter(**_cell_filter(cell)).order_by("id").values_list("id", flat=True)
            if i not in taken
        ]
        if len(ids) < cell["count"]:
            raise ApplicationError(
                _(
                    "The bank cannot satisfy the blueprint: %(cell)s needs %(need)d questions, only %(have)d are available."
                )
                % {"cell": _cell_name(cell), "need": cell["count"], "have": len(ids)},
                code="blueprint_unsatisfiable",
                status=422,
                details=[{"field": f"blueprint.{index}", "error": _cell_name(cell)}],
            )
        chosen = rng.sample(ids, cell["count"]) if rng is not None else ids[: cell["count"]]
        taken.update(chosen)
        score = Decimal(cell["score"]) if cell.get("score") else None
        drawn[index] = [(qid, score) for qid in chosen]
    return [pair for index in sorted(drawn) for pair in drawn[index]]


@transaction.atomic
def paper_create(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    mode: str = Paper.Mode.FIXED,
    question_codes: Sequence[str] = (),
    blueprint: Sequence[dict[str, Any]] = (),
    is_practice: bool = False,
    practice_minutes: int = 30,
) -> Paper:
    _require(actor, "learning.change_paper", organization)
    paper = Paper(
        organization=organization,
        title=title,
        mode=mode,
        is_practice=is_practice,
        practice_minutes=practice_minutes,
        created_by=user_or_none(actor),
    )
    pool = question_pool(organization)
    if mode == Paper.Mode.BLUEPRINT:
        paper.blueprint = blueprint_normalize(blueprint)
        blueprint_draw(pool, paper.blueprint, None)
    paper.full_clean(exclude=["created_by"])
    paper.save()
    if mode == Paper.Mode.FIXED:
        codes = list(dict.fromkeys(question_codes))
        found = {q.code: q for q in pool.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing or not codes:
            raise ValidationError(
                {
                    "questions": [
                        _("Unknown or unusable questions: %(codes)s")
                        % {"codes": ", ".join(missing)}
                        if missing
                        else _("A fixed paper needs at least one question.")
                    ]
                }
            )
        PaperItem.objects.bulk_create(
            [PaperItem(paper=paper, question=found[c], position=i + 1) for i, c in enumerate(codes)]
        )
    audit_record(actor=actor, action="paper.create", obj=paper, details={"mode": mode})
    return paper
