"""E-library endpoints at /api/v1/members/library/: the catalogue, adding a book, borrowing and
returning, chapters (sanitised) and reading progress, reading lists and statistics. Thin: the same
services as the pages (members.library)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, File, Form, Path, Query, Router, Schema
from ninja.files import UploadedFile

from gongjiang.core import access
from gongjiang.core.models import Occupation, Organization
from gongjiang.core.schemas import (
    JobProgressOut,
    StrictSchema,
    page_query,
    page_size_query,
    paginate,
)

from . import library, library_jobs, library_reader
from .models import Book, BookLoan

router = Router(tags=["members"])


def _use(request: HttpRequest) -> Any:
    if not access.can(request.user, "members.use"):
        raise PermissionDenied
    return request.user


class LibraryBookOut(Schema):
    code: str
    title: str
    author: str
    isbn: str
    subjects: list[str]
    format: str
    licence: str
    copies: int
    loan_days: int
    pages: int
    library: str
    on_shelf: bool
    cover_url: str | None


class LibraryBookWithdrawIn(StrictSchema):
    reason: str = Field(..., max_length=500)


class LibraryBookPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[LibraryBookOut]


def _book_out(b: Book) -> dict[str, Any]:
    return {
        "code": b.code,
        "title": b.title,
        "author": b.author,
        "isbn": b.isbn,
        "subjects": b.subjects,
        "format": b.format,
        "licence": b.licence,
        "copies": b.copies,
        "loan_days": b.loan_days,
        "pages": b.pages,
        "library": b.organization.name,
        "on_shelf": b.is_active,
        "cover_url": b.cover_url if b.cover_type else None,
    }


@router.get("/books", response=LibraryBookPage, operation_id="members_library_books")
def books(
    request: HttpRequest,
    q: str = Query("", max_length=100),
    occupation: str = Query("", max_length=20),
    page: int = page_query(),
    page_size: int = page_size_query(20),
) -> dict[str, Any]:
    _use(request)
    result = paginate(
        library.book_search(actor=request.user, q=q, occupation=occupation), page, page_size
    )
    result["items"] = [_book_out(b) for b in result["items"]]
    return result


class LibraryBookCheckOut(JobProgressOut):
    """The check of an uploaded book (a background job): its progress, then the book put on the
    shelf, or why the file was refused (naming the EPUB's entry at fault)."""

    message: str
    book: str | None = None
    error: str | None = None

    @staticmethod
    def resolve_book(obj: Any) -> str | None:
        return obj.result.get("book")

    @staticmethod
    def resolve_error(obj: Any) -> str | None:
        return obj.result.get("error")


@router.post(
    "/books",
    response={202: LibraryBookCheckOut},
    operation_id="members_library_book_add",
    summary="Upload a book: checked in a background job, then on the shelf",
)
def book_add(
    request: HttpRequest,
    file: File[UploadedFile],
    organization: str = Form(..., min_length=1, max_length=20),
    title: str = Form("", max_length=200),
    author: str = Form("", max_length=200),
    isbn: str = Form("", max_length=40),
    subjects: str = Form("", max_length=500),
    occupations: str = Form("", max_length=500),
    licence: Literal["open", "limited"] = Form("open"),
    copies: int = Form(1, ge=1, le=100_000),
    loan_days: int = Form(14, ge=1, le=365),
    cover: File[UploadedFile] | None = None,
) -> tuple[int, Any]:
    from django.core.exceptions import ValidationError

    org = access.get_visible_or_404(
        Organization.objects.all(), request.user, library.MANAGE, code=organization
    )
    codes = [c.strip() for c in occupations.split(",") if c.strip()][:50]
    found = list(Occupation.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise ValidationError({"occupations": "unknown occupation code"})
    job = library_jobs.book_check_start(
        actor=request.user,
        organization=org,
        upload=file,
        title=title,
        author=author,
        isbn=isbn,
        subjects=subjects,
        occupations=found,
        licence=licence,
        copies=copies,
        loan_days=loan_days,
        cover=cover,
    )
    job.refresh_from_db()
    return 202, job


@router.get(
    "/checks/{job}",
    response=LibraryBookCheckOut,
    operation_id="members_library_book_check",
    summary="Progress of a book's check (its uploader only)",
)
def book_check(request: HttpRequest, job: str) -> Any:
    _use(request)
    return library_jobs.book_check_get(actor=request.user, code=job)


@router.get("/books/{code}", response=LibraryBookOut, operation_id="members_library_book")
def book_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    _use(request)
    return _book_out(library.book_get(actor=request.user, code=code))


def _managed(request: HttpRequest, code: str) -> Book:
    """A book of a library the user manages, on the shelf or not (404 for any other)."""
    return access.get_visible_or_404(
        Book.objects.select_related("organization").defer("cover"),
        request.user,
        library.MANAGE,
        code=code,
    )


@router.post(
    "/books/{code}/withdraw",
    response=LibraryBookOut,
    operation_id="members_library_book_withdraw",
    summary="Take a book off the shelf (下架) with the reason (required, at most 500 characters)",
)
def book_withdraw(
    request: HttpRequest, payload: LibraryBookWithdrawIn, code: str = Path(..., max_length=20)
) -> dict[str, Any]:
    book = library.book_withdraw(
        actor=request.user, book=_managed(request, code), reason=payload.reason
    )
    return _book_out(book)


@router.post(
    "/books/{code}/reshelve",
    response=LibraryBookOut,
    operation_id="members_library_book_reshelve",
    summary="Put a withdrawn book back on the shelf (上架)",
)
def book_reshelve(request: HttpRequest, code: str = Path(..., max_length=20)) -> dict[str, Any]:
    return _book_out(library.book_reshelve(actor=request.user, book=_managed(request, code)))


class LibraryLoanOut(Schema):
    status: Literal["borrowed", "waiting", "returned"]
    book: str
    due_at: dt.datetime | None = None
    place: int | None = None


@router.post("/books/{code}/borrow", response=LibraryLoanOut, operation_id="members_library_borrow")
def book_borrow(request: HttpRequest, code: str) -> dict[str, Any]:
    _use(request)
    book = library.book_get(actor=request.user, code=code)
    result = library.book_borrow(actor=request.user, book=book)
    if isinstance(result, BookLoan):
        return {"status": "borrowed", "book": book.code, "due_at": result.due_at}
    return {
        "status": "waiting",
        "book": book.code,
        "place": library.hold_place(actor=request.user, book=book),
    }


@router.post("/books/{code}/return", response=LibraryLoanOut, operation_id="members_library_return")
def book_return(request: HttpRequest, code: str) -> dict[str, Any]:
    _use(request)
    book = library.book_get(actor=request.user, code=code)
    library.book_return(actor=request.user, book=book)
    return {"status": "returned", "book": book.code}


class LibraryChapterOut(Schema):
    index: int
    title: str
    html: str


def _readable(request: HttpRequest, code: str) -> Book:
    _use(request)
    book = library.book_get(actor=request.user, code=code)
    if not library.may_read(actor=request.user, book=book):
        raise PermissionDenied("loan_required")
    return book


@router.get(
    "/books/{code}/chapters/{index}",
    response=LibraryChapterOut,
    operation_id="members_library_chapter",
)
def chapter(
    request: HttpRequest, code: str, index: int = Path(..., ge=0, le=1_000_000)
) -> dict[str, Any]:
    book = _readable(request, code)
    html = library_reader.chapter_html(book, index)
    return {"index": index, "title": book.contents[index]["title"], "html": html}


class LibraryProgressIn(StrictSchema):
    position: int = Field(..., ge=0, le=1_000_000)
    offset: int = Field(0, ge=0, le=1000)
    seconds: int = Field(0, ge=0, le=library.MAX_HEARTBEAT_SECONDS)


class LibraryProgressOut(Schema):
    book: str
    title: str
    position: int
    offset: int
    pages: int
    minutes: int
    updated_at: dt.datetime


def _progress_out(p: Any) -> dict[str, Any]:
    return {
        "book": p.book.code,
        "title": p.book.title,
        "position": p.position,
        "offset": p.offset,
        "pages": p.book.pages,
        "minutes": p.seconds // 60,
        "updated_at": p.updated_at,
    }


@router.put(
    "/books/{code}/progress", response=LibraryProgressOut, operation_id="members_library_progress"
)
def progress_save(request: HttpRequest, code: str, payload: LibraryProgressIn) -> dict[str, Any]:
    book = _readable(request, code)
    row = library.progress_save(actor=request.user, book=book, **payload.dict())
    return _progress_out(row)


@router.get("/reading", response=list[LibraryProgressOut], operation_id="members_library_reading")
def reading(request: HttpRequest) -> list[dict[str, Any]]:
    _use(request)
    return [_progress_out(p) for p in library.continue_reading(actor=request.user, limit=20)]


class LibraryListOut(Schema):
    code: str
    title: str
    organization: str
    occupation: str | None
    books: list[str]


class LibraryListIn(StrictSchema):
    organization: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=200)
    occupation: str | None = Field(None, max_length=20)
    note: str = Field("", max_length=2000)
    books: list[str] = Field(..., min_length=1, max_length=100)


def _list_out(rl: Any) -> dict[str, Any]:
    return {
        "code": rl.code,
        "title": rl.title,
        "organization": rl.organization.code,
        "occupation": rl.occupation_id,
        "books": [b.code for b in rl.books.all()],
    }


@router.get("/reading-lists", response=list[LibraryListOut], operation_id="members_library_lists")
def reading_lists(
    request: HttpRequest, occupation: str = Query("", max_length=20)
) -> list[dict[str, Any]]:
    _use(request)
    return [
        _list_out(rl)
        for rl in library.reading_lists_for(actor=request.user, occupation=occupation)[:100]
    ]


@router.post(
    "/reading-lists", response={201: LibraryListOut}, operation_id="members_library_list_create"
)
def reading_list_create(request: HttpRequest, payload: LibraryListIn) -> tuple[int, Any]:
    from django.core.exceptions import ValidationError

    org = access.get_visible_or_404(
        Organization.objects.all(), request.user, library.RECOMMEND, code=payload.organization
    )
    occupation = None
    if payload.occupation:
        occupation = Occupation.objects.filter(code=payload.occupation).first()
        if occupation is None:
            raise ValidationError({"occupation": "unknown occupation code"})
    books = list(library.books_for(actor=request.user).filter(code__in=payload.books))
    if len(books) != len(set(payload.books)):
        raise ValidationError({"books": "unknown book code"})
    rl = library.reading_list_create(
        actor=request.user,
        organization=org,
        title=payload.title,
        occupation=occupation,
        note=payload.note,
        books=books,
    )
    return 201, _list_out(rl)


class LibraryStatsRow(Schema):
    organization: str
    name: str
    readers: int
    books: int
    hours: float


class LibraryStatsOut(LibraryStatsRow):
    units: list[LibraryStatsRow]


@router.get("/stats/{organization}", response=LibraryStatsOut, operation_id="members_library_stats")
def stats(request: HttpRequest, organization: str) -> dict[str, Any]:
    org = access.get_visible_or_404(
        Organization.objects.all(), request.user, library.STATS, code=organization[:20]
    )
    s = library.stats_union(actor=request.user, organization=org)
    return {
        "organization": org.code,
        "name": org.name,
        "readers": s["readers"],
        "books": s["books"],
        "hours": s["hours"],
        "units": [
            {
                "organization": u["organization"].code,
                "name": u["organization"].name,
                "readers": u["readers"],
                "books": u["books"],
                "hours": u["hours"],
            }
            for u in s["units"]
        ],
    }
