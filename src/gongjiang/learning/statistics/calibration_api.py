"""2PL calibration and parallel papers over the API (/api/v1/learning/): start a calibration job
and watch it, read the calibrations and flags, assemble parallel papers from a blueprint. The same
services as the calibration page (:mod:`.calibration`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema

from gongjiang.core.schemas import MAX_INT32, JobProgressOut, StrictSchema, resolve_from

from .. import selectors
from ..selectors import org_for
from . import calibration

router = Router(tags=["learning"])


class CalibrationJobOut(JobProgressOut):
    message: str
    organization: str | None
    result: dict[str, Any]

    resolve_organization = resolve_from("organization.code")


class CalibrationIn(StrictSchema):
    organization: str = Field(..., min_length=1, max_length=20)
    min_responses: int = Field(calibration.DEFAULT_MIN_RESPONSES, ge=2, le=1_000_000)


class CalibrationOut(Schema):
    question: str
    version: int
    qtype: str
    knowledge_point: str
    difficulty: int
    a: float | None
    b: float | None
    responses: int
    flag: str
    calibrated_at: Any

    resolve_question = resolve_from("question.code")
    resolve_version = resolve_from("version.number")
    resolve_qtype = resolve_from("question.qtype")
    resolve_knowledge_point = resolve_from("question.knowledge_point")
    resolve_difficulty = resolve_from("question.difficulty")


class ParallelCell(StrictSchema):
    qtype: str = Field(..., max_length=12)
    knowledge_point: str = Field("", max_length=100)
    difficulty: int | None = Field(None, ge=1, le=5)
    count: int = Field(..., ge=1, le=500)
    score: float | None = Field(None, gt=0, le=1000)


class ParallelIn(StrictSchema):
    organization: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=190)
    blueprint: list[ParallelCell] = Field(..., min_length=1, max_length=100)
    forms: int = Field(2, ge=2, le=10)
    rng_seed: int | None = Field(None, ge=0, le=MAX_INT32)
    target_paper: str | None = Field(None, min_length=1, max_length=20)


class ParallelPaperOut(Schema):
    code: str
    title: str
    questions: list[str]
    tcc: list[float]
    max_difference: float


class ParallelOut(Schema):
    theta: list[float]
    papers: list[ParallelPaperOut]
    max_difference: float
    random_max_difference: float
    max_score: float
    target: dict[str, Any] | None


@router.post(
    "/calibrations",
    response={202: CalibrationJobOut},
    summary="Start a 2PL calibration of an organisation's bank (a background job)",
)
def calibration_start(request: HttpRequest, payload: CalibrationIn) -> tuple[int, Any]:
    # unknown and out of scope answer the same
    org = calibration.calibration_organizations(request.user).filter(code=payload.organization)
    org = org.first()
    if org is None:
        raise ValidationError({"organization": ["unknown organization or not in your scope"]})
    job = calibration.calibration_start(
        actor=request.user, organization=org, min_responses=payload.min_responses
    )
    return 202, job


@router.get(
    "/calibrations/{code}",
    response=CalibrationJobOut,
    summary="Progress and summary of a calibration job",
)
def calibration_detail(request: HttpRequest, code: str) -> Any:
    return calibration.calibration_job_get(actor=request.user, code=code)


@router.get(
    "/calibrations",
    response=list[CalibrationOut],
    summary="Current calibrations (a, b, flag) of an organisation's questions",
)
def calibration_list(request: HttpRequest, organization: str, flagged: bool = False) -> Any:
    org = org_for(request.user, organization, "learning.view_question")
    rows = calibration.calibration_list(actor=request.user, organization=org)
    if flagged:
        rows = rows.exclude(flag="")
    return rows[:5000]


@router.get(
    "/questions/{code}/calibration",
    response=CalibrationOut,
    summary="The current calibration of a question (404 when not calibrated)",
)
def question_calibration(request: HttpRequest, code: str) -> Any:
    return calibration.question_calibration_get(actor=request.user, code=code)


@router.post(
    "/parallel-papers",
    response={201: ParallelOut},
    summary="Assemble parallel fixed papers of matched difficulty from a blueprint",
)
def paper_assemble_parallel(request: HttpRequest, payload: ParallelIn) -> tuple[int, Any]:
    org = org_for(request.user, payload.organization, "learning.change_paper")
    target = (
        selectors.paper_get(actor=request.user, code=payload.target_paper)
        if payload.target_paper
        else None
    )
    result = calibration.paper_assemble_parallel(
        actor=request.user,
        organization=org,
        blueprint=[c.model_dump() for c in payload.blueprint],
        title=payload.title,
        forms=payload.forms,
        rng_seed=payload.rng_seed,
        target_paper=target,
    )
    return 201, result
