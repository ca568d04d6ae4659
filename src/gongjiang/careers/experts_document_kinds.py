"""The kinds of document an expert-level application may carry, and the checks on a call's
required kinds. Kept below ``experts`` and ``experts_documents`` (both read it), so neither imports
the other for them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gongjiang.core.errors import ApplicationError, field_error

from .models_experts import ExpertApplication, ExpertCall

KINDS = {
    "form": "申报表",
    "achievements": "业绩证明材料",
    "certificate": "职业技能等级证书",
    "results": "技术革新与创新成果材料",
    "mentoring": "传技带徒证明",
    "other": "其他材料",
}


def kinds_of(value: str) -> list[str]:
    """The known kinds named in a comma-separated value, in order, once each."""
    out: list[str] = []
    for k in (value or "").split(","):
        k = k.strip()
        if k in KINDS and k not in out:
            out.append(k)
    return out


def required_clean(kinds: Any) -> str:
    """The call's required kinds as stored; an unknown kind is refused with the field named."""
    if kinds is None:
        return ""
    items = kinds.split(",") if isinstance(kinds, str) else list(kinds)
    items = [str(k).strip() for k in items if str(k).strip()]
    unknown = [k for k in items if k not in KINDS]
    if unknown:
        raise field_error(
            "required_documents",
            _("Name the documents among: %(k)s.") % {"k": ", ".join(KINDS)},
        )
    return ",".join(kinds_of(",".join(items)))


def missing_error(call: ExpertCall) -> ApplicationError | None:
    """The refusal naming every standing application of the call still missing a required
    document (None when none is)."""
    required = kinds_of(call.required_documents)
    if not required:
        return None
    details = []
    lines = []
    rows = (
        call.applications.filter(status=ExpertApplication.Status.SUBMITTED)
        .select_related("worker", "call")
        .prefetch_related("documents")
        .order_by("id")
    )
    for a in rows:
        have = {d.kind for d in a.documents.all()}
        names = [KINDS[k] for k in required if k not in have]
        if names:
            lines.append(f"{a.worker.name}：{'、'.join(names)}")
            details.extend({"field": "documents", "error": f"{a.code}: {n}"} for n in names)
    if not lines:
        return None
    return ApplicationError(
        _("Applications still miss required documents: %(d)s") % {"d": "；".join(lines)},
        code="documents_missing",
        status=409,
        details=details,
    )
