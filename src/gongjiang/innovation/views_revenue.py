"""Pages of revenue sharing (收益分红): schemes, a scheme's years computed line by line, totals with
their Excel export, a worker's own shares and PDF statements. Thin: parse, call revenue.py, render."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjiang.core import access
from gongjiang.core.downloads import download_filename
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import file_response, xlsx_bytes, xlsx_response
from gongjiang.core.forms import BootstrapForm
from gongjiang.core.ledger.models import Fund
from gongjiang.core.models import Job
from gongjiang.core.selectors import job_get
from gongjiang.core.views import form_errors_from, page

from . import revenue
from . import revenue_corrections as corrections
from .models_revenue import RevenueScheme, RevenueYear
from .revenue_statements import KIND, scheme_statements_start, statements_pdf
from .split import FEN, STATUTORY_DEFAULTS, share_text


class SchemeForm(BootstrapForm):
    result = forms.CharField(
        label=gettext_lazy("result (code)"),
        max_length=20,
        widget=forms.TextInput(attrs={"list": "eligible-results"}),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("how the result is commercialised"), choices=RevenueScheme.Mode.choices
    )
    share = forms.DecimalField(
        label=gettext_lazy("agreed share for the team (fraction)"),
        required=False,
        min_value=0,
        max_value=1,
        max_digits=5,
        decimal_places=4,
        help_text=gettext_lazy(
            "Leave empty for the statutory minimum: 0.50 of a transfer's or licence's net income "
            "or of the equity, 0.05 of the yearly operating profit for own use."
        ),
    )
    agreement = forms.CharField(
        label=gettext_lazy("agreement (reference and terms)"), max_length=500, required=False
    )
    first_year = forms.IntegerField(
        label=gettext_lazy("first year"), min_value=2000, max_value=2100
    )
    own_use_years = forms.IntegerField(
        label=gettext_lazy("years of sharing (own use, 3–5)"),
        min_value=3,
        max_value=5,
        required=False,
    )
    fund = forms.ModelChoiceField(
        label=gettext_lazy("fund the shares are paid from"), queryset=None, required=False
    )

    def __init__(self, *args: Any, funds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds


class YearForm(BootstrapForm):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label=gettext_lazy("net income, equity value or operating profit (yuan)"),
        min_value=0,
        max_value=Decimal("999999999999.99"),
        max_digits=14,
        decimal_places=2,
    )
    note = forms.CharField(
        label=gettext_lazy("basis of the figure"), max_length=500, required=False
    )


def _errors(exc: Exception, form: Any) -> None:
    """An error naming a field is shown at that field."""
    details = getattr(exc, "details", None) or []
    placed = False
    for d in details:
        field = str(d.get("field", "")).split(".")[0]
        if field in form.fields:
            form.add_error(field, getattr(exc, "message", str(exc)))
            placed = True
    if not placed:
        form_errors_from(exc, form)


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, revenue.VIEW):
        raise PermissionDenied(revenue.VIEW)
    return render(
        request,
        "innovation/revenue/scheme_list.html",
        {
            "page_obj": page(request, revenue.scheme_list(actor=request.user)),
            "may_manage": access.can(request.user, revenue.MANAGE),
        },
    )


@login_required
def scheme_create(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, revenue.MANAGE):
        raise PermissionDenied(revenue.MANAGE)
    funds = Fund.objects.visible_to(request.user, "core.change_fund")
    form = SchemeForm(
        request.POST or None,
        funds=funds,
        initial={"result": request.GET.get("result", "")[:20], "first_year": timezone.now().year},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = revenue.eligible_results(actor=request.user).get(code=data["result"])
        except revenue.Result.DoesNotExist:
            form.add_error("result", _("No adopted result with this code in your scope."))
        else:
            try:
                scheme = revenue.revenue_scheme_create(
                    actor=request.user,
                    result=result,
                    mode=data["mode"],
                    first_year=data["first_year"],
                    share=data["share"],
                    agreement=data["agreement"],
                    own_use_years=data["own_use_years"],
                    fund=data["fund"],
                )
            except (ApplicationError, ValidationError) as exc:
                _errors(exc, form)
            else:
                messages.success(request, _("The scheme is created."))
                return redirect("innovation:revenue_detail", code=scheme.code)
    return render(
        request,
        "innovation/revenue/scheme_form.html",
        {
            "form": form,
            "eligible": revenue.eligible_results(actor=request.user)[:200],
            "defaults": STATUTORY_DEFAULTS.values(),
        },
    )


def version_display(year: RevenueYear, version: Any) -> dict[str, Any]:
    """What the computation partial shows of a version (revenue_corrections.Version), or of a
    year only entered (no version yet)."""
    if version is None:
        return {
            "number": 0,
            "amount": year.amount,
            "share": None,
            "pool": None,
            "note": year.note,
            "by": year.entered_by,
            "parts": [],
            "correction": None,
        }
    c = version.correction
    return {
        "number": version.number,
        "amount": version.amount,
        "share": version.share,
        "pool": version.pool,
        "note": c.note if c else year.note,
        "by": c.requested_by if c else year.entered_by,
        "parts": version.parts,
        "correction": c,
        "current": version.current,
    }


def computation(v: dict[str, Any]) -> dict[str, Any]:
    """A version's computation, line by line, from its frozen parts."""
    lines = []
    for part in v["parts"]:
        floor = part.amount - (FEN if part.extra_fen else 0)
        lines.append({"part": part, "floor": floor})
    product = v["amount"] * v["share"] if v["share"] is not None else None
    total = sum((p.amount for p in v["parts"]), Decimal(0))
    return {
        "product": product,
        "lines": lines,
        "total": total,
        "left_over": int(((v["pool"] or 0) - sum((ln["floor"] for ln in lines), Decimal(0))) * 100),
        "adds_up": v["pool"] is not None and total == v["pool"],
    }


def _year_now(year: RevenueYear) -> tuple[RevenueYear, dict[str, Any], dict[str, Any]]:
    versions = corrections.year_versions(year)
    v = version_display(year, versions[-1] if versions else None)
    v["corrected"] = max(len(versions) - 1, 0)
    v["waiting"] = any(c.status == "requested" for c in year.corrections.all())
    return year, v, computation(v)


@login_required
def scheme_detail(request: HttpRequest, code: str) -> HttpResponse:
    scheme = revenue.scheme_get(actor=request.user, code=code)
    org = scheme.organization
    may_manage = access.can(request.user, revenue.MANAGE, org)
    may_certify = access.can(request.user, revenue.CERTIFY, org)
    year_form = YearForm(request.POST if request.POST.get("act") == "enter" else None)
    if request.method == "POST":
        act = request.POST.get("act", "")
        try:
            if act == "enter":
                if not may_manage:
                    raise PermissionDenied(revenue.MANAGE)
                if year_form.is_valid():
                    revenue.revenue_year_enter(
                        actor=request.user, scheme=scheme, **year_form.cleaned_data
                    )
                    messages.success(request, _("The figure is entered."))
                    return redirect("innovation:revenue_detail", code=scheme.code)
            elif act in ("certify", "pay"):
                year = revenue.year_get(actor=request.user, code=request.POST.get("year", ""))
                if year.scheme_id != scheme.pk:
                    raise Http404("year")
                if act == "certify":
                    revenue.revenue_year_certify(actor=request.user, year=year)
                    messages.success(request, _("The year is certified."))
                else:
                    revenue.revenue_year_pay(actor=request.user, year=year)
                    messages.success(request, _("The shares are paid from the fund."))
                return redirect("innovation:revenue_detail", code=scheme.code)
            elif act == "statements":
                scheme_statements_start(actor=request.user, scheme=scheme)
                messages.success(request, _("The statements are being prepared."))
                return redirect("innovation:revenue_detail", code=scheme.code)
            else:
                raise Http404("act")
        except (ApplicationError, ValidationError) as exc:
            if act == "enter":
                _errors(exc, year_form)
            else:
                messages.error(request, getattr(exc, "message", str(exc)))
    years = revenue.scheme_years(scheme)
    jobs = Job.objects.filter(kind=KIND, created_by=request.user, params__scheme=scheme.code)[:5]
    return render(
        request,
        "innovation/revenue/scheme_detail.html",
        {
            "scheme": scheme,
            "rule": STATUTORY_DEFAULTS[scheme.mode],
            "share": share_text(scheme.share),
            "years": [_year_now(y) for y in years],
            "members": scheme.result.members.select_related("worker"),
            "year_form": year_form if may_manage else None,
            "may_certify": may_certify,
            "may_pay": may_manage and scheme.fund_id and scheme.mode != "equity",
            "jobs": jobs,
        },
    )


@login_required
def totals(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, revenue.VIEW):
        raise PermissionDenied(revenue.VIEW)
    by = request.GET.get("by", "result")
    if by not in revenue.TOTAL_GROUPS:
        raise Http404(by)
    rows = revenue.revenue_totals(actor=request.user, by=by)
    return render(
        request,
        "innovation/revenue/totals.html",
        {"rows": rows, "by": by, "groups": _groups()},
    )


def _groups() -> list[tuple[str, str]]:
    return [("result", _("by result")), ("worker", _("by worker")), ("employer", _("by employer"))]


@login_required
def totals_export(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, revenue.VIEW):
        raise PermissionDenied(revenue.VIEW)
    sheets = []
    for by, label in _groups():
        rows = revenue.revenue_totals(actor=request.user, by=by)
        sheets.append(
            (
                label,
                [_("name"), _("parts"), _("total (yuan)"), _("paid (yuan)"), _("to pay (yuan)")],
                ([r["name"], r["n"], r["total"], r["paid"], r["unpaid"]] for r in rows),
            )
        )
    return xlsx_response(xlsx_bytes(sheets), "收益分红汇总.xlsx")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    worker = getattr(request.user, "worker", None)
    parts = revenue.my_parts(actor=request.user).order_by("-year__year", "id")
    return render(request, "innovation/revenue/mine.html", {"parts": parts[:200], "worker": worker})


@login_required
def statement(request: HttpRequest, code: str) -> HttpResponse:
    worker = revenue.statement_worker_get(actor=request.user, code=code)
    parts = revenue.statement_parts(actor=request.user, worker=worker)
    revenue.statements_seen(actor=request.user, worker=worker)
    pdf = statements_pdf([(worker, parts)], title=worker.name)
    import io

    return file_response(
        io.BytesIO(pdf),
        download_filename(_("Revenue-sharing statement"), worker.name, ext="pdf"),
        content_type="application/pdf",
    )


@login_required
def statements_download(request: HttpRequest, code: str) -> HttpResponse:
    job = job_get(actor=request.user, code=code)
    if job.kind != KIND or not job.output_file:
        raise Http404("statements")
    scheme = revenue.scheme_get(actor=request.user, code=job.params.get("scheme", ""))
    return file_response(
        job.output_file.open("rb"),
        download_filename(_("Revenue-sharing statement"), scheme.result.title, ext="pdf"),
        content_type="application/pdf",
    )


@dataclass
class FieldGroup:
    """Some of a form's fields, rendered by core/_form.html like a form of their own."""

    fields: list[Any]
    non_field_errors: Any

    def __iter__(self) -> Any:
        return iter(self.fields)


MAX_ADDED = 10  # workers a page correction adds at most (the API takes them in one JSON object)


def _picker_widget() -> forms.TextInput:
    return forms.TextInput(
        attrs={
            # the scoped worker picker: workers of the manager's subtree (core.pickers)
            "data-picker": reverse_lazy("core:pick", args=["revenue_workers"]),
            "list": "pick-revenue-worker",
            "autocomplete": "off",
            "placeholder": gettext_lazy("search a worker"),
            "class": "form-control gj-added-worker",
        }
    )


class CorrectionForm(BootstrapForm):
    amount = forms.DecimalField(
        label=gettext_lazy("corrected figure (yuan)"),
        min_value=0,
        max_value=Decimal("999999999999.99"),
        max_digits=14,
        decimal_places=2,
    )
    note = forms.CharField(
        label=gettext_lazy("basis of the corrected figure"), max_length=500, required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("reason for the correction"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    file = forms.FileField(
        label=gettext_lazy("supporting document (PDF, JPEG or PNG, at most 10 MB)"),
    )

    share = forms.DecimalField(
        label=gettext_lazy("corrected share for the team (fraction; empty: unchanged)"),
        required=False,
        min_value=0,
        max_value=1,
        max_digits=5,
        decimal_places=4,
    )

    def __init__(self, *args: Any, parts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = []
        for part in parts:
            name = f"c_{part.worker.code}"
            self.fields[name] = forms.DecimalField(
                label=_("contribution of %(name)s (%%; 0 drops the member)")
                % {"name": part.worker.name},
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                initial=part.contribution,
            )
            self.members.append((part.worker.code, name))
        # rows of workers who were not in the year, each picked and given a share
        self.added = []
        for n in range(1, MAX_ADDED + 1):
            worker, share = f"add_worker_{n}", f"add_contribution_{n}"
            self.fields[worker] = forms.CharField(
                label=_("added worker %(n)d (optional)") % {"n": n},
                required=False,
                max_length=20,
                widget=_picker_widget(),
            )
            self.fields[share] = forms.DecimalField(
                label=_("contribution of added worker %(n)d (%%)") % {"n": n},
                required=False,
                widget=forms.NumberInput(
                    attrs={"class": "form-control", "placeholder": _("share (%)"), "step": "0.01"}
                ),
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
            )
            self.added.append((n, worker, share))
        self.order_fields(
            [
                "amount",
                "note",
                "share",
                *[n for _c, n in self.members],
                *[f for _n, worker, share in self.added for f in (worker, share)],
                "reason",
                "file",
            ]
        )

    def clean(self) -> dict[str, Any]:
        """The same rules as the service (revenue_corrections), checked here first so that each
        error is shown at its row and field: an added worker needs a share above 0, is not
        already a member and is added once; the members' and the added workers' shares add up
        to exactly 100 %."""
        data = super().clean()
        members = {c for c, _n in self.members}
        seen: set[str] = set()
        for n, worker, share in self.added:
            code = (data.get(worker) or "").strip()
            added = data.get(share)
            data[worker] = code
            if code in members:
                self.add_error(
                    worker, _("Row %(n)d: this worker is already a member of the year.") % {"n": n}
                )
            elif code in seen:
                self.add_error(
                    worker, _("Row %(n)d: this worker is already added above.") % {"n": n}
                )
            elif code and not added:
                self.add_error(
                    share, _("Row %(n)d: a worker added needs a share above 0.") % {"n": n}
                )
            elif added and not code:
                self.add_error(
                    worker, _("Row %(n)d: pick the worker this share is for.") % {"n": n}
                )
            if code:
                seen.add(code)
        values = [data.get(name) for _c, name in self.members]
        if not self.errors and all(v is not None for v in values):
            extra = [data.get(share) or Decimal(0) for _n, _w, share in self.added]
            total = sum(values, Decimal(0)) + sum(extra, Decimal(0))
            if total != 100:
                raise ValidationError(
                    _("The contributions add up to %(total)s %%, not 100 %%.") % {"total": total}
                )
        return data

    def head(self) -> FieldGroup:
        """The fields before the added workers' rows (with the form's own errors)."""
        names = ["amount", "note", "share", *[n for _c, n in self.members]]
        return FieldGroup([self[n] for n in names], self.non_field_errors())

    def tail(self) -> FieldGroup:
        return FieldGroup([self["reason"], self["file"]], [])

    def added_rows(self) -> list[dict[str, Any]]:
        """The rows of added workers; after the first, an empty row without an error is hidden
        until "add another worker" shows it."""
        rows = []
        for n, worker, share in self.added:
            w, s = self[worker], self[share]
            filled = bool(w.value() or s.value() or w.errors or s.errors)
            rows.append({"n": n, "worker": w, "share": s, "filled": filled})
        last = max([r["n"] for r in rows if r["filled"]], default=1)
        for r in rows:
            r["hidden"] = r["n"] > last
        return rows

    def added_row(self, code: str) -> str | None:
        """The worker field of the row that added ``code`` (to show a service error there)."""
        for _n, worker, _share in self.added:
            if code and self.cleaned_data.get(worker) == code:
                return worker
        return None

    def contributions(self) -> dict[str, Decimal]:
        out = {code: self.cleaned_data[name] for code, name in self.members}
        for _n, worker, share in self.added:
            if self.cleaned_data.get(worker):
                out[self.cleaned_data[worker]] = self.cleaned_data[share]
        return out


def _codes_in(message: str, form: CorrectionForm) -> list[str]:
    """The added workers' codes that a service message names, longest first."""
    codes = {form.cleaned_data.get(w) for _n, w, _s in form.added} - {None, ""}
    return sorted((c for c in codes if c in message), key=len, reverse=True)


@login_required
def year_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A certified year's history (the certification and every approved correction, each with its
    computation), its corrections with their documents, asking for one and deciding one."""
    year = revenue.year_get(actor=request.user, code=code)
    org = year.scheme.organization
    may_manage = access.can(request.user, revenue.MANAGE, org)
    act = request.POST.get("act", "") if request.method == "POST" else ""
    parts = corrections.current_parts(year)
    form = CorrectionForm(
        request.POST if act == "request" else None,
        request.FILES if act == "request" else None,
        parts=parts,
        initial={"amount": (corrections.current_version(year) or year).amount},
    )
    if request.method == "POST":
        try:
            if act == "request":
                if not may_manage:
                    raise PermissionDenied(revenue.MANAGE)
                if form.is_valid():
                    data = form.cleaned_data
                    corrections.revenue_correction_request(
                        actor=request.user,
                        year=year,
                        amount=data["amount"],
                        note=data["note"],
                        reason=data["reason"],
                        contributions=form.contributions(),
                        upload=data["file"],
                        share=data["share"],
                    )
                    messages.success(request, _("The correction is asked for."))
                    return redirect("innovation:revenue_year", code=year.code)
            elif act in ("approve", "reject", "withdraw"):
                correction = corrections.correction_get(
                    actor=request.user, code=request.POST.get("correction", "")
                )
                if correction.year_id != year.pk:
                    raise Http404("correction")
                if act == "approve":
                    corrections.revenue_correction_approve(
                        actor=request.user, correction=correction
                    )
                    messages.success(request, _("The correction is approved."))
                elif act == "withdraw":
                    corrections.revenue_correction_withdraw(
                        actor=request.user, correction=correction
                    )
                    messages.success(request, _("The correction is withdrawn."))
                else:
                    corrections.revenue_correction_reject(
                        actor=request.user,
                        correction=correction,
                        reason=request.POST.get("reason", ""),
                    )
                    messages.success(request, _("The correction is rejected."))
                return redirect("innovation:revenue_year", code=year.code)
            else:
                raise Http404("act")
        except (ApplicationError, ValidationError) as exc:
            if act == "request" and getattr(exc, "code", "") == "unknown_worker":
                # a worker outside the scheme's organisation (or not seen): at its row's picker
                message = getattr(exc, "message", str(exc))
                rows = [r for r in map(form.added_row, _codes_in(message, form)) if r]
                if rows:
                    n = rows[0].rsplit("_", 1)[1]
                    form.add_error(rows[0], _("Row %(n)s: %(error)s") % {"n": n, "error": message})
                else:
                    form.add_error(None, message)
            elif act == "request":
                _errors(exc, form)
            else:
                messages.error(request, getattr(exc, "message", str(exc)))
    year = RevenueYear.objects.prefetch_related("parts__worker", "corrections__requested_by").get(
        pk=year.pk
    )
    listed = corrections.year_corrections(year)
    versions = corrections.year_versions(year)
    waiting = any(c.status == "requested" for c in listed)
    shown = [version_display(year, v) for v in versions]
    return render(
        request,
        "innovation/revenue/year_detail.html",
        {
            "year": year,
            "scheme": year.scheme,
            "versions": [(v, computation(v)) for v in reversed(shown)],
            "corrections": listed,
            "form": form if may_manage and versions and not waiting else None,
            # the waiting corrections this user may decide (not their own, not as a team member)
            "decidable": set(
                corrections.corrections_to_decide(actor=request.user)
                .filter(year=year)
                .values_list("code", flat=True)
            ),
        },
    )


@login_required
def correction_document(request: HttpRequest, code: str) -> HttpResponse:
    correction = corrections.correction_get(actor=request.user, code=code)
    return file_response(
        corrections.correction_document_open(correction),
        download_filename(
            _("Supporting document"),
            str(correction.year),
            correction.number,
            ext=corrections.EXTENSIONS.get(correction.document_type, "bin"),
        ),
        content_type=correction.document_type,
    )
