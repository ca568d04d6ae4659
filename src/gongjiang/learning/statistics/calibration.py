"""2PL IRT calibration of a question bank, item flags, and parallel papers of matched difficulty.

* ``bank_calibrate`` collects the answers of completed attempts to an organisation's questions
  (its subtree), dichotomises them (a mark of at least half the maximum is right), calibrates
  every question version with at least ``min_responses`` answers in one joint run of
  :func:`gongjiang.learning.statistics.irt.twopl_mml` and stores one :class:`QuestionCalibration` row per
  version (the latest run wins). It runs as a background job (``calibration_start``).
* ``paper_assemble_parallel`` builds ``forms`` fixed papers that each satisfy a blueprint (the cell
  semantics of :func:`gongjiang.learning.bank.services.blueprint_draw`), no question in two forms, and
  chooses calibrated questions so that the forms' test characteristic curves (expected marks over
  ability θ in [-3, 3]) match: a seeded random start, then swaps between forms and replacements
  from the unused candidates of the same cell while the largest gap between the forms' curves
  shrinks.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from scipy.special import expit

from gongjiang.core import access
from gongjiang.core.audit import audit_record
from gongjiang.core.errors import ApplicationError
from gongjiang.core.jobs import Progress, job_handler, job_start, own_job_get
from gongjiang.core.models import Job, Organization

from ..bank.services import (
    _cell_filter,
    _cell_name,
    _ordered_cells,
    blueprint_normalize,
    paper_create,
    question_pool,
)
from ..models import AttemptItem, Paper, PaperItem, Question, QuestionCalibration, QuestionVersion
from .irt import dichotomise, twopl_mml

CALIBRATION_KIND = "learning.bank_calibration"
DEFAULT_MIN_RESPONSES = 200

#: Flag rules, checked in this order; the first that applies is stored.
WEAK_SLOPE = 0.2
EXTREME_DIFFICULTY = 3.0
FLAGS = {
    "not_estimable": gettext_lazy("not estimable"),
    "negative_discrimination": gettext_lazy("negative discrimination"),
    "weak_discrimination": gettext_lazy("weak discrimination"),
    "extreme_difficulty": gettext_lazy("extreme difficulty"),
}

#: Ability grid on which test characteristic curves are computed, compared and reported.
THETA = np.linspace(-3.0, 3.0, 25)
MAX_PASSES = 30
RESTARTS = 8
#: Time budget of the search (a request must not hang on a very large bank).
SEARCH_SECONDS = 5.0


def calibration_flag(a: float | None, b: float | None) -> str:
    """The first problem of an item: no estimate, a < 0, a < 0.2, |b| > 3; '' when none."""
    if a is None or b is None or not np.isfinite(a) or not np.isfinite(b):
        return "not_estimable"
    if a < 0:
        return "negative_discrimination"
    if a < WEAK_SLOPE:
        return "weak_discrimination"
    if abs(b) > EXTREME_DIFFICULTY:
        return "extreme_difficulty"
    return ""


def calibration_organizations(actor: Any) -> Any:
    """The active organisations whose bank the actor may calibrate."""
    return (
        Organization.objects.visible_to(actor, "learning.change_question")
        .filter(is_active=True)
        .order_by("path")
    )


# --------------------------------------------------------------------------- calibration
def _responses(organization: Organization, min_responses: int) -> dict[str, Any]:
    """Versions with enough answers and the attempts x versions matrix of each answer's mark as a
    fraction of its own maximum (a paper may weight a question differently); NaN = not answered."""
    items = AttemptItem.objects.filter(
        attempt__status="complete",
        score__isnull=False,
        version__question__organization__path__startswith=organization.path,
    )
    counts = Counter(dict(items.values_list("version_id").annotate(n=_count()).order_by()))
    chosen = sorted(v for v, n in counts.items() if n >= min_responses)
    below = sum(1 for n in counts.values() if n < min_responses)
    column = {v: j for j, v in enumerate(chosen)}
    rows: dict[int, int] = {}
    attempt_idx: list[int] = []
    version_idx: list[int] = []
    fractions: list[float] = []
    if chosen:
        for attempt_id, version_id, score, max_score in (
            items.filter(version_id__in=chosen)
            .values_list("attempt_id", "version_id", "score", "max_score")
            .order_by()
            .iterator(chunk_size=5000)
        ):
            attempt_idx.append(rows.setdefault(attempt_id, len(rows)))
            version_idx.append(column[version_id])
            fractions.append(float(score) / float(max_score) if max_score else np.nan)
    matrix = np.full((len(rows), len(chosen)), np.nan)
    if fractions:
        matrix[np.asarray(attempt_idx), np.asarray(version_idx)] = np.asarray(fractions)
    return {"versions": chosen, "counts": counts, "below": below, "matrix": matrix}


def _count() -> Any:
    return Count("id")


def bank_calibrate(
    *,
    actor: Any,
    organization: Organization,
    min_responses: int = DEFAULT_MIN_RESPONSES,
    progress: Progress | None = None,
    job_code: str = "",
) -> dict[str, Any]:
    """Calibrate the question versions of ``organization``'s subtree that have at least
    ``min_responses`` answers in completed attempts; store and flag them. Returns a summary."""
    access.require(actor, "learning.change_question", organization)
    min_responses = max(2, int(min_responses))
    report = progress or (lambda *args, **kwargs: None)
    report(0, 3, _("Collecting the answers"))
    data = _responses(organization, min_responses)
    versions = data["versions"]
    summary: dict[str, Any] = {
        "organization": organization.code,
        "min_responses": min_responses,
        "attempts": int(data["matrix"].shape[0]),
        "calibrated": 0,
        "below_min_responses": data["below"],
        "flags": {},
        "converged": None,
        "iterations": 0,
    }
    if not versions:
        report(3, 3, _("No question has enough answers"))
        return summary
    report(1, 3, _("Calibrating %(n)d questions") % {"n": len(versions)})
    fit = twopl_mml(dichotomise(data["matrix"], np.ones(len(versions))))
    report(2, 3, _("Storing the results"))
    question_of = dict(
        QuestionVersion.objects.filter(pk__in=versions).values_list("pk", "question_id")
    )
    now = timezone.now()
    rows = []
    flags: Counter[str] = Counter()
    for j, version_id in enumerate(versions):
        a = float(fit["a"][j]) if np.isfinite(fit["a"][j]) else None
        b = float(fit["b"][j]) if np.isfinite(fit["b"][j]) else None
        flag = calibration_flag(a, b)
        if flag:
            flags[flag] += 1
        rows.append(
            QuestionCalibration(
                version_id=version_id,
                question_id=question_of[version_id],
                a=a if flag != "not_estimable" else None,
                b=b if flag != "not_estimable" else None,
                responses=data["counts"][version_id],
                flag=flag,
                job=job_code,
                calibrated_at=now,
            )
        )
    with transaction.atomic():
        QuestionCalibration.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["version"],
            update_fields=["question", "a", "b", "responses", "flag", "job", "calibrated_at"],
        )
        summary.update(
            calibrated=len(rows),
            flags=dict(flags),
            converged=bool(fit["converged"]),
            iterations=int(fit["iterations"]),
        )
        audit_record(
            actor=actor,
            action="question.calibrate",
            organization=organization,
            details={k: summary[k] for k in ("calibrated", "attempts", "min_responses", "flags")},
        )
    report(3, 3, _("Done"))
    return summary


def calibration_start(
    *, actor: Any, organization: Organization, min_responses: int = DEFAULT_MIN_RESPONSES
) -> Job:
    """Start ``bank_calibrate`` as a background job (progress on the job)."""
    access.require(actor, "learning.change_question", organization)
    return job_start(
        actor=actor,
        kind=CALIBRATION_KIND,
        organization=organization,
        params={"min_responses": int(min_responses), "language": translation.get_language()},
    )


def calibration_job_get(*, actor: Any, code: str) -> Job:
    """A calibration job the actor started; anything else is a 404."""
    return own_job_get(actor=actor, code=code, kind=CALIBRATION_KIND)


@job_handler(CALIBRATION_KIND)
def run_bank_calibration(job: Job, progress: Progress) -> dict[str, Any]:
    actor = get_user_model().objects.get(pk=job.created_by_id)
    access.forget(actor)
    with translation.override(job.params.get("language") or translation.get_language()):
        return bank_calibrate(
            actor=actor,
            organization=job.organization,
            min_responses=int(job.params.get("min_responses") or DEFAULT_MIN_RESPONSES),
            progress=progress,
            job_code=job.code,
        )


def calibration_list(*, actor: Any, organization: Organization) -> Any:
    """Current calibrations (of the questions' current versions) in the organisation's subtree."""
    access.require(actor, "learning.view_question", organization)
    return (
        QuestionCalibration.objects.visible_to(actor, "learning.view_question")
        .filter(question__organization__path__startswith=organization.path)
        .filter(version_id=_current_version())
        .select_related("question", "version")
        .order_by("question__knowledge_point", "question_id")
    )


def _current_version() -> Any:
    return F("question__current_id")


# ------------------------------------------------------------------------- parallel papers
def _curves(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Expected marks of each item at each θ of the grid: w · P(θ)."""
    return w[:, None] * expit(a[:, None] * (THETA[None, :] - b[:, None]))


def _stack(
    curves: np.ndarray, owner: np.ndarray, forms: int, target: np.ndarray | None = None
) -> np.ndarray:
    """The forms' curves, one row each, plus the target's as a last row when given."""
    rows = [curves[owner == f].sum(axis=0) for f in range(forms)]
    if target is not None:
        rows.append(target)
    return np.stack(rows)


def _spread(tcc: np.ndarray) -> float:
    """Largest gap between the forms' curves over the grid."""
    return float((tcc.max(axis=0) - tcc.min(axis=0)).max())


def _improve(
    curves: np.ndarray,
    cells: list[np.ndarray],
    owner: np.ndarray,
    forms: int,
    deadline: float = float("inf"),
    target: np.ndarray | None = None,
) -> np.ndarray:
    """Swap / replace items of the same cell while the largest gap between the forms (and the
    ``target`` curve, a fixed extra row) shrinks (at most ``MAX_PASSES`` passes; no new pass after
    ``deadline``, a ``time.monotonic()``)."""
    tcc = _stack(curves, owner, forms, target)
    best = _spread(tcc)
    for _pass in range(MAX_PASSES):
        if _pass and time.monotonic() > deadline:
            break
        improved = False
        for candidates in cells:
            for f in range(forms):
                for i in candidates[owner[candidates] == f]:
                    others = candidates[owner[candidates] != f]
                    if not len(others):
                        continue
                    trial = np.broadcast_to(tcc, (len(others), *tcc.shape)).copy()
                    trial[:, f] += curves[others] - curves[i]
                    swap = owner[others]
                    for g in range(forms):
                        mask = swap == g
                        if mask.any():
                            trial[mask, g] += curves[i] - curves[others[mask]]
                    gaps = (trial.max(axis=1) - trial.min(axis=1)).max(axis=1)
                    k = int(np.argmin(gaps))
                    if gaps[k] < best - 1e-9:
                        j = others[k]
                        owner[i], owner[j] = owner[j], f
                        tcc = trial[k]
                        best = float(gaps[k])
                        improved = True
        if not improved:
            break
    return owner


def _paper_curve(paper: Paper) -> np.ndarray:
    """The test characteristic curve of a fixed paper whose questions are all calibrated."""
    items = list(paper.items.select_related("question"))
    calib = {
        c.question_id: c
        for c in QuestionCalibration.objects.filter(
            question_id__in=[i.question_id for i in items],
            version_id=_current_version(),
            a__isnull=False,
            b__isnull=False,
        )
    }
    missing = [i.question.code for i in items if i.question_id not in calib]
    if paper.mode != Paper.Mode.FIXED or not items or missing:
        raise ApplicationError(
            _("The target paper must be a fixed paper whose questions are all calibrated."),
            code="target_not_calibrated",
            status=422,
            details=[{"field": "target_paper", "error": ", ".join(missing[:20])}],
        )
    a = np.array([calib[i.question_id].a for i in items], dtype=float)
    b = np.array([calib[i.question_id].b for i in items], dtype=float)
    w = np.array([float(i.score or i.question.score) for i in items])
    return _curves(a, b, w).sum(axis=0)


def paper_assemble_parallel(
    *,
    actor: Any,
    organization: Organization,
    blueprint: Sequence[dict[str, Any]],
    title: str,
    forms: int = 2,
    rng_seed: int | None = None,
    target_paper: Paper | None = None,
) -> dict[str, Any]:
    """Create ``forms`` fixed papers, each satisfying ``blueprint``, sharing no question, whose
    test characteristic curves match (each other and, when given, the curve of ``target_paper``,
    a fixed paper whose questions are calibrated; its questions are not reused). Only calibrated
    questions (current version with a > 0) are used; a cell with fewer than ``count × forms`` of
    them is refused (ApplicationError, 422)."""
    access.require(actor, "learning.change_paper", organization)
    target = _paper_curve(target_paper) if target_paper is not None else None
    forms = int(forms)
    if not 2 <= forms <= 10:
        raise ApplicationError(
            _("Between 2 and 10 forms."),
            code="invalid_forms",
            status=422,
            details=[{"field": "forms", "error": _("Between 2 and 10 forms.")}],
        )
    cells = blueprint_normalize(blueprint)
    pool = question_pool(organization).filter(
        calibrations__version_id=F("current_id"),
        calibrations__a__gt=0,
        calibrations__b__isnull=False,
    )
    rng = random.Random(rng_seed)
    taken: set[int] = (
        set(target_paper.items.values_list("question_id", flat=True)) if target_paper else set()
    )
    ids: list[int] = []
    cell_of: list[int] = []
    for index, cell in _ordered_cells(cells):
        available = [
            i
            for i in pool.filter(**_cell_filter(cell)).order_by("id").values_list("id", flat=True)
            if i not in taken
        ]
        need = cell["count"] * forms
        if len(available) < need:
            raise ApplicationError(
                _(
                    "Too few calibrated questions for %(forms)d forms: %(cell)s needs %(need)d, only %(have)d are available."
                )
                % {"forms": forms, "cell": _cell_name(cell), "need": need, "have": len(available)},
                code="calibration_insufficient",
                status=422,
                details=[{"field": f"blueprint.{index}", "error": _cell_name(cell)}],
            )
        taken.update(available)
        ids += available
        cell_of += [index] * len(available)
    calib = {
        c.question_id: c
        for c in QuestionCalibration.objects.filter(
            question_id__in=ids, version_id=_current_version()
        ).select_related("question")
    }
    weights = np.array(
        [
            float(cells[c]["score"]) if cells[c]["score"] else float(calib[q].question.score)
            for q, c in zip(ids, cell_of, strict=True)
        ]
    )
    a = np.array([calib[q].a for q in ids], dtype=float)
    b = np.array([calib[q].b for q in ids], dtype=float)
    curves = _curves(a, b, weights)
    cell_arr = np.asarray(cell_of)
    groups = [np.flatnonzero(cell_arr == index) for index, _cell in _ordered_cells(cells)]

    def random_start() -> np.ndarray:
        owner = np.full(len(ids), -1)
        for members, (_index, cell) in zip(groups, _ordered_cells(cells), strict=True):
            chosen = rng.sample(list(members), cell["count"] * forms)
            for k, m in enumerate(chosen):
                owner[m] = k % forms
        return owner

    def curves_of(owner: np.ndarray) -> np.ndarray:
        return _stack(curves, owner, forms, target)

    # the first seeded random start is what a plain random draw would give; several restarts of
    # the swap search keep the best (the search stops in a local optimum)
    best_owner = random_start()
    random_gap = _spread(curves_of(best_owner))
    deadline = time.monotonic() + SEARCH_SECONDS
    best_owner = _improve(curves, groups, best_owner, forms, deadline, target)
    best_gap = _spread(curves_of(best_owner))
    for _restart in range(RESTARTS - 1):
        if time.monotonic() > deadline:
            break
        owner = _improve(curves, groups, random_start(), forms, deadline, target)
        gap = _spread(curves_of(owner))
        if gap < best_gap - 1e-12:
            best_owner, best_gap = owner, gap
    owner = best_owner
    gap = _spread(curves_of(owner))
    tcc = _stack(curves, owner, forms)
    mean = tcc.mean(axis=0) if target is None else target
    papers = []
    with transaction.atomic():
        for f in range(forms):
            members = sorted(np.flatnonzero(owner == f), key=lambda m: (cell_of[m], ids[m]))
            codes = [calib[ids[m]].question.code for m in members]
            paper = paper_create(
                actor=actor,
                organization=organization,
                title=f"{title} · {chr(ord('A') + f)}"[:200],
                mode=Paper.Mode.FIXED,
                question_codes=codes,
            )
            for index, cell in enumerate(cells):
                if cell["score"]:
                    PaperItem.objects.filter(
                        paper=paper,
                        question_id__in=[ids[m] for m in members if cell_of[m] == index],
                    ).update(score=Decimal(cell["score"]))
            papers.append(
                {
                    "code": paper.code,
                    "title": paper.title,
                    "questions": codes,
                    "tcc": [round(float(v), 4) for v in tcc[f]],
                    "max_difference": round(float(np.abs(tcc[f] - mean).max()), 4),
                }
            )
        result = {
            "theta": [round(float(t), 4) for t in THETA],
            "papers": papers,
            "max_difference": round(gap, 4),
            "target": None
            if target is None
            else {"code": target_paper.code, "tcc": [round(float(v), 4) for v in target]},
            "random_max_difference": round(random_gap, 4),
            "max_score": round(float(weights[owner == 0].sum()), 4),
        }
        audit_record(
            actor=actor,
            action="paper.assemble_parallel",
            organization=organization,
            details={
                "papers": [p["code"] for p in papers],
                "max_difference": result["max_difference"],
            },
        )
    return result


def question_calibration_get(*, actor: Any, code: str) -> QuestionCalibration:
    """The current calibration of a question in the actor's scope (404 otherwise, or when the
    question's current version has not been calibrated)."""
    question = access.get_visible_or_404(
        Question.objects.select_related("current"), actor, "learning.view_question", code=code
    )
    row = QuestionCalibration.objects.filter(version_id=question.current_id).first()
    if row is None:
        raise Http404("calibration")
    row.question = question
    return row
