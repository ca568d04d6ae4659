"""The worker's own pages (on a phone): the assistance notices of their union, their file (see
and correct), applying, withdrawing consent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongjiang.core.errors import ApplicationError
from gongjiang.core.notices.selectors import notices_current_for
from gongjiang.core.views import form_errors_from

from . import privacy, selectors, services
from .forms import ApplyForm, HouseholdForm, MemberFormSet, household_from, members_initial
from .household import cause_labels
from .models import HardshipFile


def my_worker(user: object) -> object:
    from gongjiang.workforce.models import Worker

    worker = (
        Worker.objects.filter(user_id=getattr(user, "pk", None))
        .select_related("organization")
        .first()
    )
    if worker is None:
        raise Http404("worker")
    return worker


@login_required
def me(request: HttpRequest) -> HttpResponse:
    worker = my_worker(request.user)
    ct = ContentType.objects.get_for_model(HardshipFile)
    notices = notices_current_for(actor=request.user).filter(content_type=ct)
    files = selectors.own_files(actor=request.user)
    return render(
        request,
        "assistance/me.html",
        {
            "worker": worker,
            "notices": notices,
            "files": files,
            "may_apply": not files.filter(status__in=HardshipFile.ACTIVE).exists(),
        },
    )


@login_required
def me_apply(request: HttpRequest) -> HttpResponse:
    worker = my_worker(request.user)
    form = ApplyForm(request.POST or None)
    members = MemberFormSet(request.POST or None, prefix="m", initial=[{"relation": "本人"}])
    if request.method == "POST" and form.is_valid() and members.is_valid():
        try:
            file = services.file_apply(
                actor=request.user,
                worker=worker,
                household=household_from(form, members),
                consent=form.cleaned_data["consent"],
            )
        except ApplicationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Your application was sent to your union."))
            return redirect("assistance:me_file", file.code)
    return render(
        request,
        "assistance/apply.html",
        {"form": form, "members": members, "consent_text": services.CONSENT_TEXT},
    )


@login_required
def me_file(request: HttpRequest, code: str) -> HttpResponse:
    file = selectors.own_file_get(actor=request.user, code=code)
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        try:
            privacy.consent_withdraw(actor=request.user, file=file)
            messages.success(request, _("Your consent is withdrawn; your data is being erased."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("assistance:me_file", file.code)
    document = (
        services.file_view(actor=request.user, file=file, purpose="self")
        if file.sensitive_encrypted
        else {}
    )
    form = HouseholdForm(
        request.POST or None,
        initial={
            k: document.get(k) for k in ("housing", "debts", "causes", "sudden_event", "note")
        },
    )
    members = MemberFormSet(request.POST or None, prefix="m", initial=members_initial(document))
    if request.method == "POST" and file.is_active and form.is_valid() and members.is_valid():
        try:
            services.file_correct(
                actor=request.user, file=file, household=household_from(form, members)
            )
        except ApplicationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Your file was corrected."))
            return redirect("assistance:me_file", file.code)
    return render(
        request,
        "assistance/me_file.html",
        {
            "file": file,
            "document": document,
            "form": form,
            "members": members,
            "causes": [cause_labels().get(c, c) for c in document.get("causes", [])],
        },
    )
