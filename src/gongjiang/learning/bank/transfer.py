"""Question bank import and export in the layout Chinese exam systems use.

One row per question. Columns (headers exact after trimming):
题型 (required: 单选题 / 多选题 / 判断题 / 填空题 / 简答题 / 实操题) · 题干 (required) · 选项A … 选项H ·
答案 (choice: letters such as B or ACD; 判断: 对/错 (also 正确/错误, √/×, A/B); 填空: blanks separated by
“;” or “；”, alternatives in a blank by “|”; 简答: the reference answer) · 解析 · 难度 (易/较易/中等/较难/难
or 1–5) · 知识点 · 分值 · and optionally 评分标准 (rubric), 评分要点 (practical checklist:
“item:points; item:points”), 计分规则 (全对得分 / 部分得分), 职业编码, 技能等级.

The file is checked whole: every error is reported as (row, column, value, reason) and nothing is
imported unless the user confirms a file without errors; the import is all-or-nothing.

A Word file (.docx) in the “1. 题干 / A. 选项 / 答案：” layout is read by :mod:`.word` into the
same rows, so the same rules apply; its errors also name the question number as written and the
paragraph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import user_or_none
from gongjiang.core.audit import audit_record
from gongjiang.core.jobs import Progress, job_handler, job_start, own_job_get
from gongjiang.core.models import Job, Occupation, Organization, SkillLevel
from gongjiang.core.spreadsheets import (
    RowError,
    RowErrors,
    check_summary,
    find_header,
    is_blank,
    read_rows,
    row_values,
)

from ..models import Difficulty, Question, QuestionVersion
from .columns import (
    ALIASES,
    DIFFICULTY_LABELS,
    OPTION_LETTERS,
    QTYPE_LABELS,
    RULE_NAMES,
    format_answer,
    parse_answer,
    parse_checklist,
    parse_difficulty,
    parse_qtype,
)
from .columns import EXPORT_HEADER as EXPORT_HEADER  # the export's header, with export_rows
from .services import question_content

FIELD_ORDER = ("qtype", "stem", "answer", "options", "checklist", "score", "explanation", "rubric")


def question_import(
    *,
    actor: Any,
    organization: Organization,
    source: Any,
    filename: str,
    dry_run: bool,
    progress: Progress | None = None,
) -> dict[str, Any]:
    access.require(actor, "learning.change_question", organization)
    document = None
    if Path(filename).suffix.lower() == ".docx":
        from .word import docx_bank

        document = docx_bank(source)
        rows: Any = document.rows()
    else:
        rows = read_rows(source, filename)
    found_by_reading = document.errors_by_row() if document else {}
    _hr, mapping, headers, body = find_header(rows, ALIASES, ["qtype", "stem"])
    header_of = {field: headers[i] for field, i in mapping.items()}
    occupations = (
        set(Occupation.objects.values_list("code", flat=True)) if "occupation" in mapping else set()
    )
    levels = {lv.code: lv for lv in SkillLevel.objects.all()}
    levels.update({lv.name_zh: lv for lv in levels.values()})
    errors: list[RowError] = []
    planned: list[dict[str, Any]] = []
    count = 0
    for number, row in body:
        if is_blank(row) and document is None:  # every question of a Word file is a row
            continue
        count += 1
        values = row_values(row, mapping)
        row_errors = RowErrors(number, values, header_of)
        bad = row_errors.bad

        qtype = parse_qtype(values.get("qtype", ""))
        difficulty = parse_difficulty(values.get("difficulty", ""))
        if qtype is None:
            bad(
                "qtype",
                _("Unknown question type (use 单选题, 多选题, 判断题, 填空题, 简答题 or 实操题)."),
            )
        if difficulty is None:
            bad("difficulty", _("Unknown difficulty (use 易, 较易, 中等, 较难, 难 or 1–5)."))
        occupation = values.get("occupation", "")
        if occupation and occupation not in occupations:
            bad("occupation", _("Unknown occupation code."))
        level = values.get("skill_level", "")
        if level and level not in levels:
            bad("skill_level", _("Unknown skill level."))
        rule = RULE_NAMES.get(values.get("scoring_rule", "") or "all")
        if rule is None:
            bad("scoring_rule", _("Use 全对得分 or 部分得分."))
        content = None
        if qtype is not None:
            try:
                checklist = (
                    parse_checklist(values.get("checklist", "")) if qtype == "practical" else []
                )
                options = [values.get(f"option_{c}", "") for c in OPTION_LETTERS]
                while options and not options[-1]:
                    options.pop()
                if "" in options:
                    raise ValidationError(
                        {
                            "options": [
                                _("Options must be consecutive (no empty option between others).")
                            ]
                        }
                    )
                content = question_content(
                    qtype=qtype,
                    stem=values.get("stem", ""),
                    options=options,
                    answer=parse_answer(qtype, values.get("answer", "")),
                    explanation=values.get("explanation", ""),
                    rubric=values.get("rubric", ""),
                    checklist=checklist,
                    scoring_rule=rule or "all",
                    score=values.get("score") or 1,
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    column_field = {"options": "option_A", "blueprint": "qtype"}.get(field, field)
                    for message in messages:
                        bad(column_field, message)
        if number in found_by_reading:
            # what reading the Word file found comes first; a rule that fails on the same field
            # (an empty answer when the answer line is missing) would only say it again
            assert document is not None
            read = found_by_reading[number]
            taken = {document.column_group(e.column) for e in read}
            row_errors[:] = [RowError(number, e.column, e.value, e.message) for e in read] + [
                e for e in row_errors if document.column_group(e.column) not in taken
            ]
        if not row_errors:
            planned.append(
                {
                    "qtype": qtype,
                    "difficulty": difficulty,
                    "content": content,
                    "knowledge_point": values.get("knowledge_point", "")[:100],
                    "occupation_id": occupation or None,
                    "skill_level": levels.get(level) if level else None,
                }
            )
        errors.extend(row_errors)
        if progress:
            progress(count, None)
    result = check_summary(count, len(planned), errors)
    if document is not None:
        located = [document.locate(e.row, e.column, e.value, e.message) for e in errors]
        located += [document.located(i) for i in document.loose_errors()]
        located.sort(key=lambda e: e["paragraph"])
        result.update(
            source="docx",
            errors=located,
            warnings=[document.located(w) for w in document.warnings],
        )
    if dry_run or result["errors"] or not planned:
        return result
    with transaction.atomic():
        questions = Question.objects.bulk_create(
            [
                Question(
                    organization=organization,
                    qtype=p["qtype"],
                    difficulty=p["difficulty"],
                    knowledge_point=p["knowledge_point"],
                    occupation_id=p["occupation_id"],
                    skill_level=p["skill_level"],
                    score=p["content"]["score"],
                    created_by=user_or_none(actor),
                )
                for p in planned
            ],
            batch_size=500,
        )
        if any(q.pk is None for q in questions):  # a backend that does not return ids
            questions = list(
                Question.objects.filter(organization=organization, current__isnull=True).order_by(
                    "id"
                )
            )
        versions = QuestionVersion.objects.bulk_create(
            [
                QuestionVersion(question=q, number=1, qtype=p["qtype"], **p["content"])
                for q, p in zip(questions, planned, strict=True)
            ],
            batch_size=500,
        )
        for q, v in zip(questions, versions, strict=True):
            q.current = v
        Question.objects.bulk_update(questions, ["current"], batch_size=500)
        audit_record(
            actor=actor,
            action="question.import",
            obj=organization,
            details={"file": filename, "created": len(questions)},
        )
    result["created"] = len(planned)
    return result


# ------------------------------------------------------------- the import as a background job
# The page (views.question_import / question_import_review) and the API (import_api)
# both go through these functions: a dry run first, then the confirm of a checked file.
QUESTION_IMPORT_KIND = "learning.question_import"
QUESTION_IMPORT_SUFFIXES = (".xlsx", ".xls", ".csv", ".docx")


def question_import_organizations(actor: Any) -> Any:
    """The active organisations the actor may import questions into."""
    return (
        Organization.objects.visible_to(actor, "learning.change_question")
        .filter(is_active=True)
        .order_by("path")
    )


def question_import_file_check(upload: Any) -> None:
    """Refuse an upload that is too large or not a spreadsheet / Word file (ValidationError)."""
    from django.conf import settings

    if (upload.size or 0) > settings.MAX_UPLOAD_SIZE:
        raise ValidationError(_("The file is too large."), code="too_large")
    if not (upload.name or "").lower().endswith(QUESTION_IMPORT_SUFFIXES):
        raise ValidationError(_("Upload an .xlsx, .xls, .csv or .docx file."), code="file_type")


def question_import_start(*, actor: Any, organization: Organization, upload: Any) -> Job:
    """Store the upload and start the dry run (every question checked, nothing written)."""
    try:
        question_import_file_check(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    access.require(actor, "learning.change_question", organization)
    return job_start(
        actor=actor,
        kind=QUESTION_IMPORT_KIND,
        organization=organization,
        params={"dry_run": True, "language": translation.get_language()},
        input_file=upload,
        input_name=upload.name,
    )


def question_import_job_get(*, actor: Any, code: str) -> Job:
    """A question import job the actor started; anything else (another user's job, another kind
    of job, no such job) is a 404."""
    return own_job_get(actor=actor, code=code, kind=QUESTION_IMPORT_KIND)


@transaction.atomic
def question_import_confirm(*, actor: Any, job: Job) -> Job:
    """Import the file a dry run checked: only a dry run that succeeded without errors, and only
    once (a second confirm while the first import is queued, running or done is refused)."""
    from django.core.files.base import ContentFile

    from gongjiang.core.errors import ConflictError

    # lock the checked job so that two confirms at the same time cannot both start an import
    job = Job.objects.select_for_update().get(pk=job.pk)
    if not (
        job.kind == QUESTION_IMPORT_KIND
        and job.status == Job.Status.SUCCEEDED
        and job.params.get("dry_run")
        and not job.result.get("errors")
        and not job.result.get("error")
        and job.organization is not None
    ):
        raise ConflictError(
            _("Only a checked file without errors can be imported."), code="not_checked"
        )
    access.require(actor, "learning.change_question", job.organization)
    if (
        Job.objects.filter(kind=QUESTION_IMPORT_KIND, params__checked=job.code)
        .exclude(status=Job.Status.FAILED)
        .exists()
    ):
        raise ConflictError(_("This file has already been imported."), code="already_imported")
    with job.input_file.open("rb") as fh:
        content = ContentFile(fh.read())
    return job_start(
        actor=actor,
        kind=QUESTION_IMPORT_KIND,
        organization=job.organization,
        params={"dry_run": False, "checked": job.code, "language": translation.get_language()},
        input_file=content,
        input_name=job.input_file.name.rsplit("/", 1)[-1],
    )


@job_handler(QUESTION_IMPORT_KIND)
def run_question_import(job: Job, progress: Progress) -> dict[str, Any]:
    actor = get_user_model().objects.get(pk=job.created_by_id)
    access.forget(actor)
    # the report is written in the language of the page that started the job
    with translation.override(job.params.get("language") or translation.get_language()):
        with job.input_file.open("rb") as fh:
            return question_import(
                actor=actor,
                organization=job.organization,
                source=fh,
                filename=job.input_file.name,
                dry_run=bool(job.params.get("dry_run")),
                progress=progress,
            )


def export_rows(questions: Any) -> Any:
    for q in questions.select_related("current", "skill_level").iterator(chunk_size=1000):
        v = q.current
        options = [o["text"] for o in v.options] + [""] * (8 - len(v.options))
        yield [
            QTYPE_LABELS[q.qtype],
            v.stem,
            *options,
            format_answer(v),
            v.explanation,
            DIFFICULTY_LABELS.get(q.difficulty, ""),
            q.knowledge_point,
            float(v.score),
            v.rubric,
            "；".join(f"{c['item']}:{c['points']:g}" for c in v.checklist),
            "部分得分" if v.scoring_rule == "partial" else "全对得分",
            q.occupation_id or "",
            q.skill_level.name_zh if q.skill_level_id else "",
            q.code,
            v.number,
        ]


def difficulty_label(value: int) -> str:
    return str(dict(Difficulty.choices).get(value, value))
