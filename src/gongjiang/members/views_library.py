"""Pages of the e-library: the worker's shelf, a book, the reader (EPUB chapters and PDF pages),
and the desktop pages where a union stocks its shelf, trainers recommend reading lists and cadres
read the statistics of their subtree."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from gongjiang.core.errors import ApplicationError
from gongjiang.core.forms import BootstrapForm
from gongjiang.core.models import Occupation
from gongjiang.core.views import page

from . import library, library_reader
from .models import Book, BookHold, BookLoan
from .views_home import phone_context, require_use


class BookForm(BootstrapForm):
    file = forms.FileField(label=gettext_lazy("book file (EPUB or PDF)"))
    title = forms.CharField(
        label=gettext_lazy("book title"), max_length=200, required=False,
        help_text=gettext_lazy("empty: taken from the file"),
    )  # fmt: skip
    author = forms.CharField(label=gettext_lazy("author"), max_length=200, required=False)
    isbn = forms.CharField(label=gettext_lazy("ISBN"), max_length=40, required=False)
    subjects = forms.CharField(
        label=gettext_lazy("subjects"), max_length=500, required=False,
        help_text=gettext_lazy("separated by commas"),
    )  # fmt: skip
    occupations = forms.CharField(
        label=gettext_lazy("occupation codes"), max_length=500, required=False,
        help_text=gettext_lazy("e.g. 6-31-01-01, separated by commas"),
    )  # fmt: skip
    licence = forms.ChoiceField(
        label=pgettext_lazy("book", "licence"), choices=Book.Licence.choices
    )
    copies = forms.IntegerField(label=gettext_lazy("copies"), min_value=1, max_value=100_000)
    loan_days = forms.IntegerField(label=gettext_lazy("loan days"), min_value=1, max_value=365)
    cover = forms.FileField(
        label=gettext_lazy("cover image (optional)"), required=False,
        help_text=gettext_lazy(
            "JPEG, PNG or WebP, at most 512 KB; shrunk to 600 px a side, metadata removed. "
            "Empty: the cover is taken from the file."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )  # fmt: skip

    def clean_occupations(self) -> list[Occupation]:
        codes = [c.strip() for c in self.cleaned_data["occupations"].replace("，", ",").split(",")]
        codes = [c for c in codes if c][:50]
        found = {o.code: o for o in Occupation.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValidationError(_("Unknown occupation code “%(code)s”.") % {"code": missing[0]})
        return [found[c] for c in codes]


# ------------------------------------------------------------------------------ phone pages
@login_required
def library_home(request: HttpRequest) -> HttpResponse:
    require_use(request)
    user = request.user
    q = request.GET.get("q", "")[:100]
    worker = getattr(user, "worker", None)
    occupation = getattr(worker, "occupation_id", None) or ""
    return render(
        request,
        "members/library/home.html",
        phone_context(
            request,
            q=q,
            books=page(request, library.book_search(actor=user, q=q), 20),
            reading=library.continue_reading(actor=user),
            loans=list(library.my_loans(actor=user)[:20]),
            lists=list(library.reading_lists_for(actor=user, occupation=occupation)[:10]),
        ),
    )


@login_required
def book_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    book = library.book_get(actor=request.user, code=code)
    return render(
        request,
        "members/library/book.html",
        phone_context(
            request,
            book=book,
            may_read=library.may_read(actor=request.user, book=book),
            loan=library.loan_active(actor=request.user, book=book),
            place=library.hold_place(actor=request.user, book=book),
            free=library.copies_free(book=book),
            progress=library.progress_get(actor=request.user, book=book),
        ),
    )


@login_required
@require_POST
def book_borrow(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    book = library.book_get(actor=request.user, code=code)
    try:
        result = library.book_borrow(actor=request.user, book=book)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if isinstance(result, BookLoan):
            messages.success(
                request, _("Borrowed until %(due)s.") % {"due": f"{result.due_at:%Y-%m-%d}"}
            )
        elif isinstance(result, BookHold):
            messages.success(request, _("Every copy is out: you are in the waiting line."))
    return redirect("members:book_detail", book.code)


@login_required
@require_POST
def book_return(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    book = library.book_get(actor=request.user, code=code)
    library.book_return(actor=request.user, book=book)
    messages.success(request, _("Returned. Thank you."))
    return redirect("members:book_detail", book.code)


def _readable(request: HttpRequest, code: str) -> Book:
    require_use(request)
    book = library.book_get(actor=request.user, code=code)
    if not library.may_read(actor=request.user, book=book):
        raise PermissionDenied("loan_required")
    return book


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value)[:12])
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


@login_required
def book_read(request: HttpRequest, code: str) -> HttpResponse:
    book = _readable(request, code)
    progress = library.progress_get(actor=request.user, book=book)
    last = max(book.pages - 1, 0)
    at = _int(request.GET.get("at"), progress.position if progress else 0, 0, last)
    offset = progress.offset if progress and progress.position == at else 0
    if "at" in request.GET or progress is None:
        try:
            library.progress_save(actor=request.user, book=book, position=at, offset=offset)
        except ApplicationError:
            pass  # a reader outside every union (a superuser checking a book) keeps no position
    html = library_reader.chapter_html(book, at) if book.format == Book.Format.EPUB else ""
    return render(
        request,
        "members/library/read.html",
        phone_context(
            request,
            book=book,
            at=at,
            offset=offset,
            html=html,
            previous=at - 1 if at > 0 else None,
            next=at + 1 if at < last else None,
            contents=book.contents,
            number=at + 1,
        ),
    )


@login_required
@require_POST
def book_progress(request: HttpRequest, code: str) -> JsonResponse:
    book = _readable(request, code)
    try:
        row = library.progress_save(
            actor=request.user,
            book=book,
            position=_int(request.POST.get("position"), -1, -1, 10**7),
            offset=_int(request.POST.get("offset", "0"), -1, -1, 10**7),
            seconds=_int(request.POST.get("seconds", "0"), -1, -1, 10**7),
        )
    except ValidationError as exc:
        return JsonResponse({"errors": exc.message_dict}, status=400)
    except ApplicationError as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)
    return JsonResponse({"position": row.position, "offset": row.offset})


@login_required
def book_page(request: HttpRequest, code: str, number: int) -> HttpResponse:
    book = _readable(request, code)
    width = _int(request.GET.get("w"), 900, 100, 2000)
    data = library_reader.pdf_page_png(book, number - 1, width)
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def book_resource(request: HttpRequest, code: str, path: str) -> HttpResponse:
    book = _readable(request, code)
    data, kind = library_reader.resource(book, path[:300])
    response = HttpResponse(data, content_type=kind)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def book_cover(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    book = library.book_get(actor=request.user, code=code)
    row = Book.objects.filter(pk=book.pk).values("cover", "cover_type").first()
    if not row or not row["cover"] or not row["cover_type"].startswith("image/"):
        raise Http404("cover")
    response = HttpResponse(bytes(row["cover"]), content_type=row["cover_type"])
    if request.GET.get("v") == book.cover_version:
        # the URL names this cover (Book.cover_url): a replaced cover gets another URL
        response["Cache-Control"] = "private, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "private, no-cache"
    return response


@login_required
def reading_list_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    rl = library.reading_list_get(actor=request.user, code=code)
    books = [b for b in rl.books.all() if b.is_active]
    return render(request, "members/library/list.html", phone_context(request, rl=rl, books=books))
