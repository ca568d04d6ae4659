"""Desktop pages of the e-library: stocking a union's shelf, reading lists by occupation
(trainers) and reading statistics of a subtree with an Excel download."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import xlsx_bytes, xlsx_response
from gongjiang.core.forms import BootstrapForm
from gongjiang.core.models import Occupation, Organization
from gongjiang.core.views import form_errors_from, page

from . import library, library_jobs
from .models import Book
from .views_library import BookForm


class ReadingListForm(BootstrapForm):
    title = forms.CharField(label=gettext_lazy("list title"), max_length=200)
    occupation = forms.CharField(
        label=gettext_lazy("occupation code"), max_length=20, required=False,
        help_text=gettext_lazy("empty: for every occupation"),
    )  # fmt: skip
    note = forms.CharField(
        label=gettext_lazy("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )  # fmt: skip
    books = forms.CharField(
        label=gettext_lazy("book codes"), max_length=3000,
        help_text=gettext_lazy("the codes shown in the catalogue, separated by commas"),
    )  # fmt: skip

    def clean_occupation(self) -> Occupation | None:
        code = self.cleaned_data["occupation"].strip()
        if not code:
            return None
        found = Occupation.objects.filter(code=code).first()
        if found is None:
            raise ValidationError(_("Unknown occupation code “%(code)s”.") % {"code": code})
        return found


def _org(request: HttpRequest, perm: str) -> Organization:
    return access.get_visible_or_404(
        Organization.objects.all(),
        request.user,
        perm,
        code=request.POST.get("organization", "")[:20],
    )


def _orgs(request: HttpRequest, perm: str) -> list[Organization]:
    return list(
        Organization.objects.visible_to(request.user, perm)
        .filter(is_active=True)
        .exclude(kind="team")
        .order_by("path")[:500]
    )


@login_required
def library_manage(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, library.MANAGE):
        raise PermissionDenied
    form = BookForm(initial={"licence": Book.Licence.OPEN, "copies": 1, "loan_days": 14})
    if request.method == "POST":
        form = BookForm(request.POST, request.FILES)
        org = _org(request, library.MANAGE)
        if form.is_valid():
            d = form.cleaned_data
            try:
                job = library_jobs.book_check_start(
                    actor=request.user,
                    organization=org,
                    upload=d["file"],
                    title=d["title"],
                    author=d["author"],
                    isbn=d["isbn"],
                    subjects=d["subjects"],
                    occupations=d["occupations"],
                    licence=d["licence"],
                    copies=d["copies"],
                    loan_days=d["loan_days"],
                    cover=d["cover"],
                )
            except ApplicationError as exc:
                # a refused cover (core.images names the field) is shown at the cover field
                fields = [d.get("field") for d in getattr(exc, "details", None) or []]
                form.add_error("cover" if "cover" in fields else None, exc.message)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(
                    request,
                    _("The file is being checked; the book is on the shelf when it passes."),
                )
                return redirect("core:job_detail", code=job.code)
    return render(
        request,
        "members/library/manage.html",
        {
            "form": form,
            "orgs": _orgs(request, library.MANAGE),
            "items": page(request, library.books_managed(actor=request.user), 50),
        },
    )


@login_required
@require_POST
def library_book_act(request: HttpRequest, code: str) -> HttpResponse:
    """A book of the shelves the user manages (404 for any other): take it off the shelf
    (asked to confirm on the page) or replace its cover with an uploaded image."""
    if not access.can(request.user, library.MANAGE):
        raise PermissionDenied
    book = access.get_visible_or_404(
        Book.objects.all(), request.user, library.MANAGE, code=code[:20]
    )
    act = request.POST.get("act", "")
    try:
        if act == "withdraw":
            # the reason is passed whole: the service refuses an empty or over-long one
            library.book_withdraw(
                actor=request.user, book=book, reason=request.POST.get("reason", "")
            )
            messages.success(
                request, _("“%(title)s” is taken off the shelf.") % {"title": book.title}
            )
        elif act == "reshelve":
            library.book_reshelve(actor=request.user, book=book)
            messages.success(
                request, _("“%(title)s” is back on the shelf.") % {"title": book.title}
            )
        elif act == "cover":
            upload = request.FILES.get("cover")
            if upload is None:
                raise ValidationError({"cover": _("Choose an image for the cover.")})
            library.book_cover_set(actor=request.user, book=book, upload=upload)
            messages.success(
                request, _("The cover of “%(title)s” is replaced.") % {"title": book.title}
            )
        else:
            raise Http404("act")
    except (ApplicationError, ValidationError) as exc:
        if act == "cover":
            messages.error(
                request,
                _("The cover of “%(title)s” is not replaced: %(reason)s")
                % {"title": book.title, "reason": _error_text(exc)},
            )
        else:
            messages.error(request, _error_text(exc))
    return redirect(f"{reverse('members:library_manage')}#book-{book.code}")


@login_required
def library_book_history(request: HttpRequest, code: str) -> HttpResponse:
    """A book's shelf history for its managers (404 outside their libraries): added, taken off
    with the reason, put back, cover replaced."""
    if not access.can(request.user, library.MANAGE):
        raise PermissionDenied
    book = access.get_visible_or_404(
        Book.objects.select_related("organization").defer("cover"),
        request.user,
        library.MANAGE,
        code=code[:20],
    )
    return render(
        request,
        "members/library/history.html",
        {"book": book, "events": list(library.book_history(book=book)[:200])},
    )


def _error_text(exc: Exception) -> str:
    message = getattr(exc, "message", None)
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return " ".join(m for ms in exc.message_dict.values() for m in ms)
    return str(message if message is not None else exc)


@login_required
def library_lists(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, library.RECOMMEND):
        raise PermissionDenied
    form = ReadingListForm()
    if request.method == "POST":
        form = ReadingListForm(request.POST)
        org = _org(request, library.RECOMMEND)
        if form.is_valid():
            d = form.cleaned_data
            codes = [c.strip() for c in d["books"].replace("，", ",").split(",") if c.strip()][:100]
            books = list(library.books_for(actor=request.user).filter(code__in=codes))
            try:
                if len(books) != len(set(codes)):
                    raise ValidationError({"books": _("Some book codes are unknown.")})
                library.reading_list_create(
                    actor=request.user,
                    organization=org,
                    title=d["title"],
                    occupation=d["occupation"],
                    note=d["note"],
                    books=books,
                )
            except ApplicationError as exc:
                # a refused cover (core.images names the field) is shown at the cover field
                fields = [d.get("field") for d in getattr(exc, "details", None) or []]
                form.add_error("cover" if "cover" in fields else None, exc.message)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Reading list recommended."))
                return redirect("members:library_lists")
    return render(
        request,
        "members/library/lists.html",
        {
            "form": form,
            "orgs": _orgs(request, library.RECOMMEND),
            "items": page(request, library.reading_lists_managed(actor=request.user), 50),
            "books": library.books_for(actor=request.user)[:200],
        },
    )


@login_required
def library_stats(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, library.STATS):
        raise PermissionDenied
    orgs = library.stats_organizations(actor=request.user)
    code = request.GET.get("organization", "")[:20]
    org = (
        access.get_visible_or_404(
            Organization.objects.all(), request.user, library.STATS, code=code
        )
        if code
        else orgs.first()
    )
    stats = library.stats_union(actor=request.user, organization=org) if org else None
    if stats and request.GET.get("format") == "xlsx":
        header = [_("union"), _("readers"), _("books read"), pgettext("reading", "hours")]
        rows = [[org.name, stats["readers"], stats["books"], stats["hours"]]] + [
            [u["organization"].name, u["readers"], u["books"], u["hours"]] for u in stats["units"]
        ]
        return xlsx_response(xlsx_bytes([(_("Reading"), header, rows)]), "阅读统计.xlsx")
    return render(
        request,
        "members/library/stats.html",
        {"orgs": orgs[:500], "org": org, "stats": stats},
    )
