"""E-library services and selectors: the catalogue, loans and the waiting line, reading progress,
reading lists by occupation, and reading statistics per union.

Scoping: a book belongs to the library of a union; the members of that union's subtree read it
(a book of the national federation reaches everyone) and the roles above it see it too. Reading
data is personal: a reader sees their own progress and loans; cadres see only aggregates
(readers, books, hours) of the subtree their role covers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.images import image_check
from gongjiang.core.models import AuditEvent, Occupation, Organization

from .audience import audience_q, home_organization
from .library_files import MAX_COVER_BYTES, check_book, isbn_normalise, read_upload
from .models import Book, BookHold, BookLoan, ReadingList, ReadingProgress
from .models.library import MAX_REASON
from .notify import notify

MANAGE = "members.manage_library"
RECOMMEND = "members.recommend_books"
STATS = "members.library_stats"
MAX_HEARTBEAT_SECONDS = 120


# -------------------------------------------------------------------------------- catalogue
def books_for(*, actor: Any) -> QuerySet[Book]:
    """Books on the shelf of the actor's unions (their subtree and the unions above it)."""
    if not getattr(actor, "is_authenticated", False):
        return Book.objects.none()
    return (
        Book.objects.filter(audience_q(actor), is_active=True)
        .select_related("organization")
        .defer("cover")
    )


def book_search(
    *, actor: Any, q: str = "", occupation: str = "", subject: str = ""
) -> QuerySet[Book]:
    qs = books_for(actor=actor)
    q = q.strip()[:100]
    if q:
        digits = q.replace("-", "").replace(" ", "")
        qs = qs.filter(Q(title__icontains=q) | Q(author__icontains=q) | Q(isbn=digits))
    if occupation:
        qs = qs.filter(occupations__code=occupation[:20])
    if subject:
        qs = qs.filter(subjects__icontains=subject[:50])
    return qs.distinct()


def book_get(*, actor: Any, code: str) -> Book:
    """A book the actor may see (as a reader or as its library's manager); 404 otherwise."""
    book = (
        books_for(actor=actor).filter(code=code[:20]).first()
        or books_managed(actor=actor).filter(code=code[:20]).first()
    )
    if book is None:
        raise Http404("book")
    return book


def books_managed(*, actor: Any) -> QuerySet[Book]:
    return Book.objects.visible_to(actor, MANAGE).select_related("organization").defer("cover")


def subjects_clean(value: Any) -> list[str]:
    """Subjects as a list (from a list or a comma-separated text); at most 20."""
    if isinstance(value, str):
        value = value.replace("，", ",").split(",")
    out = [str(s).strip()[:50] for s in (value or []) if str(s).strip()]
    if len(out) > 20:
        raise ValidationError({"subjects": _("At most 20 subjects.")})
    return out


def book_add(
    *,
    actor: Any,
    organization: Organization,
    upload: IO[bytes],
    title: str = "",
    author: str = "",
    isbn: str = "",
    subjects: Any = (),
    occupations: list[Occupation] | tuple[Occupation, ...] = (),
    description: str = "",
    licence: str = Book.Licence.OPEN,
    copies: int = 1,
    loan_days: int = 14,
    progress: Callable[..., None] | None = None,
    cover: Any = None,
) -> Book:
    """Check the file by content (EPUB or PDF; see library_files) and put the book on the shelf.
    Pages and the API run this in the background job ``members.book_check`` (library_jobs).
    ``cover``: an uploaded image that replaces the cover taken from the file (``cover_check``)."""
    access.require(actor, MANAGE, organization)
    checked_cover = cover_check(cover) if cover is not None else None
    data = read_upload(upload)
    info = check_book(data, progress) if progress else check_book(data)
    if checked_cover is not None:
        info.cover, info.cover_type = checked_cover.data, checked_cover.content_type
    book = Book(
        organization=organization,
        title=(title or info.title or "").strip()[:200],
        author=(author or info.author or "").strip()[:200],
        isbn=isbn_normalise(isbn),
        subjects=subjects_clean(subjects),
        description=description,
        format=info.format,
        file_size=len(data),
        cover=info.cover,
        cover_type=info.cover_type,
        contents=info.contents,
        pages=info.pages,
        licence=licence,
        copies=copies,
        loan_days=loan_days,
        created_by=user_or_none(actor),
    )
    if not book.title:
        raise ValidationError({"title": _("A book needs a title.")})
    if not book.author:
        raise ValidationError({"author": _("A book needs an author.")})
    book.file.save(f"{book.code}.{info.format}", ContentFile(data), save=False)
    try:
        book.full_clean(exclude=["file"])
        with transaction.atomic():
            book.save()
            book.occupations.set(list(occupations)[:50])
            audit(
                actor=actor,
                action="members.book_add",
                obj=book,
                organization=organization,
                details={"cover_uploaded": checked_cover is not None},
            )
    except Exception:
        book.file.delete(save=False)
        raise
    return book


def book_cover_set(*, actor: Any, book: Book, upload: Any) -> Book:
    """Replace the cover taken from the file by an uploaded image: through ``core.images`` (the
    format told by content, the pixels bounded, encoded again without metadata, at most 600 px a
    side, at most 512 KB read); anything else is refused naming the field ``cover``. The cover's
    URL carries the time of the change (``Book.cover_url``), so phones fetch the new one."""
    access.require(actor, MANAGE, book.organization)
    checked = cover_check(upload)
    now = timezone.now()
    with transaction.atomic():
        Book.objects.filter(pk=book.pk).update(
            cover=checked.data, cover_type=checked.content_type, cover_changed_at=now
        )
        audit(
            actor=actor,
            action="members.book_cover",
            obj=book,
            details={"width": checked.width, "height": checked.height, "bytes": len(checked.data)},
        )
    book.cover, book.cover_type = checked.data, checked.content_type
    book.cover_changed_at = now
    return book


def cover_check(upload: Any) -> Any:
    """An uploaded cover checked and encoded again by ``core.images`` (field ``cover``)."""
    return image_check(upload, field="cover", max_bytes=MAX_COVER_BYTES, max_side=600)


def _withdraw_reason(reason: Any) -> str:
    reason = str(reason or "").strip()
    if not reason:
        message = _("Give the reason for taking the book off the shelf.")
        raise ValidationError({"reason": ValidationError(message, code="required")})
    if len(reason) > MAX_REASON:
        message = _("At most %(n)d characters.") % {"n": MAX_REASON}
        raise ValidationError({"reason": ValidationError(message, code="too_long")})
    return reason


def book_withdraw(*, actor: Any, book: Book, reason: str) -> Book:
    """Take a book off the shelf with the reason (required, at most 500 characters): readers no
    longer find or open it; the reason stays in the book's history."""
    access.require(actor, MANAGE, book.organization)
    reason = _withdraw_reason(reason)
    with transaction.atomic():
        row = Book.objects.select_for_update().get(pk=book.pk)
        if not row.is_active:
            raise ConflictError(_("The book is already off the shelf."), code="book_withdrawn")
        Book.objects.filter(pk=book.pk).update(is_active=False, withdrawn_reason=reason)
        audit(
            actor=actor,
            action="members.book_withdraw",
            obj=book,
            organization=book.organization,
            details={"reason": reason},
        )
    book.is_active, book.withdrawn_reason = False, reason
    return book


def book_reshelve(*, actor: Any, book: Book) -> Book:
    """Put a withdrawn book back on the shelf (上架). Putting a book on the shelf needs no second
    person's approval (any manager of the library does it), so putting it back follows the same
    rule: a manager of the library in scope, audited."""
    access.require(actor, MANAGE, book.organization)
    with transaction.atomic():
        row = Book.objects.select_for_update().get(pk=book.pk)
        if row.is_active:
            raise ConflictError(_("The book is already on the shelf."), code="book_on_shelf")
        Book.objects.filter(pk=book.pk).update(is_active=True, withdrawn_reason="")
        audit(
            actor=actor,
            action="members.book_reshelve",
            obj=book,
            organization=book.organization,
            details={"withdrawn_reason": row.withdrawn_reason},
        )
    book.is_active, book.withdrawn_reason = True, ""
    return book


HISTORY_ACTIONS = (
    "members.book_add",
    "members.book_withdraw",
    "members.book_reshelve",
    "members.book_cover",
)


def book_history(*, book: Book) -> QuerySet[AuditEvent]:
    """The book's shelf history (added, taken off with the reason, put back, cover replaced),
    newest first; for a book the caller manages (``access.get_visible_or_404``)."""
    return AuditEvent.objects.filter(object_code=book.code, action__in=HISTORY_ACTIONS).order_by(
        "-at", "-id"
    )


# ---------------------------------------------------------------------------------- loans
def _reader_unit(actor: Any) -> Organization:
    """The reader's own unit (their loans and reading count there); a user who belongs to no union
    (a platform superuser) borrows nothing and keeps no progress."""
    unit = home_organization(actor)
    if unit is None:
        raise ApplicationError(
            _("Loans and reading progress are kept for members of a union."),
            code="no_unit",
            status=409,
        )
    return unit


def loan_active(*, actor: Any, book: Book) -> BookLoan | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return BookLoan.objects.filter(
        book=book, user=actor, returned_at__isnull=True, due_at__gt=timezone.now()
    ).first()


def may_read(*, actor: Any, book: Book) -> bool:
    """Open books: every reader who sees them; limited ones: the holder of a loan (and the library's
    managers, to check what they put on the shelf)."""
    if not book.is_limited:
        return True
    if loan_active(actor=actor, book=book) is not None:
        return True
    return access.can(actor, MANAGE, book.organization)


def _settle(book: Book, now: dt.datetime) -> list[BookLoan]:
    """Inside the book's lock: close expired loans, then lend free copies to those waiting (each
    told in the app, and by the sender after the commit)."""
    BookLoan.objects.filter(book=book, returned_at__isnull=True, due_at__lte=now).update(
        returned_at=F("due_at")
    )
    free = book.copies - BookLoan.objects.filter(book=book, returned_at__isnull=True).count()
    made = []
    for hold in BookHold.objects.filter(book=book).order_by("created_at", "id")[: max(free, 0)]:
        loan = BookLoan.objects.create(
            book=book,
            user_id=hold.user_id,
            organization_id=hold.organization_id,
            due_at=now + dt.timedelta(days=book.loan_days),
        )
        hold.delete()
        made.append(loan)
        notify(
            loan.user,
            _("A copy of “%(title)s” is yours until %(due)s")
            % {
                "title": book.title,
                "due": f"{timezone.localtime(loan.due_at):%Y-%m-%d}",
            },
            "",
            reverse("members:book_detail", args=[book.code]),
        )
    return made


def book_borrow(*, actor: Any, book: Book) -> BookLoan | BookHold:
    """Borrow a copy of a limited book; when every copy is out, join the waiting line (the first in
    line gets the next copy returned). The book row is locked, so parallel requests never lend
    more copies than the licence has."""
    if not book.is_limited:
        raise ApplicationError(
            _("This book is open: read it without borrowing."), code="open_book", status=409
        )
    unit = _reader_unit(actor)
    now = timezone.now()
    with transaction.atomic():
        locked = Book.objects.select_for_update().get(pk=book.pk)
        for loan in _settle(locked, now):
            audit(actor=actor, action="members.book_loan_promote", obj=loan)
        mine = BookLoan.objects.filter(book=locked, user=actor, returned_at__isnull=True).first()
        if mine is not None:
            return mine
        out = BookLoan.objects.filter(book=locked, returned_at__isnull=True).count()
        if out < locked.copies and not BookHold.objects.filter(book=locked).exists():
            loan = BookLoan.objects.create(
                book=locked,
                user=actor,
                organization=unit,
                due_at=now + dt.timedelta(days=locked.loan_days),
            )
            audit(actor=actor, action="members.book_borrow", obj=loan, organization=unit)
            return loan
        hold, created = BookHold.objects.get_or_create(
            book=locked, user=actor, defaults={"organization": unit}
        )
        if created:
            audit(actor=actor, action="members.book_hold", obj=locked, organization=unit)
        return hold


def book_return(*, actor: Any, book: Book) -> BookLoan | None:
    """Give the copy back (and leave the waiting line); the next reader waiting gets it."""
    now = timezone.now()
    with transaction.atomic():
        locked = Book.objects.select_for_update().get(pk=book.pk)
        BookHold.objects.filter(book=locked, user=actor).delete()
        loan = BookLoan.objects.filter(book=locked, user=actor, returned_at__isnull=True).first()
        if loan is not None:
            loan.returned_at = min(now, loan.due_at)
            loan.save(update_fields=["returned_at"])
            audit(actor=actor, action="members.book_return", obj=loan)
        for promoted in _settle(locked, now):
            audit(actor=actor, action="members.book_loan_promote", obj=promoted)
    return loan


def loans_settle_all(*, actor: Any, now: dt.datetime | None = None) -> int:
    """Expire overdue loans and hand copies to those waiting, for every book with loans due (the
    periodic job ``members.library_settle``); one transaction per book, so a long backlog holds no
    lock for long. Returns the number of loans made to readers who were waiting."""
    now = now or timezone.now()
    due = (
        BookLoan.objects.filter(returned_at__isnull=True, due_at__lte=now)
        .values_list("book_id", flat=True)
        .distinct()
    )
    count = 0
    for book_id in list(due):
        with transaction.atomic():
            locked = Book.objects.select_for_update().get(pk=book_id)
            for loan in _settle(locked, now):
                audit(actor=actor, action="members.book_loan_promote", obj=loan)
                count += 1
    return count


def copies_free(*, book: Book) -> int:
    now = timezone.now()
    out = BookLoan.objects.filter(book=book, returned_at__isnull=True, due_at__gt=now).count()
    return max(book.copies - out, 0)


def hold_place(*, actor: Any, book: Book) -> int | None:
    """1 for the first in line; None when the actor is not waiting."""
    hold = BookHold.objects.filter(book=book, user=actor).first()
    if hold is None:
        return None
    return (
        BookHold.objects.filter(book=book)
        .filter(Q(created_at__lt=hold.created_at) | Q(created_at=hold.created_at, id__lte=hold.id))
        .count()
    )


def my_loans(*, actor: Any) -> QuerySet[BookLoan]:
    if not getattr(actor, "is_authenticated", False):
        return BookLoan.objects.none()
    return BookLoan.objects.filter(
        user=actor, returned_at__isnull=True, due_at__gt=timezone.now()
    ).select_related("book")


# ------------------------------------------------------------------------------- progress
def progress_get(*, actor: Any, book: Book) -> ReadingProgress | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return ReadingProgress.objects.filter(book=book, user=actor).first()


def progress_save(
    *, actor: Any, book: Book, position: int, offset: int = 0, seconds: int = 0
) -> ReadingProgress:
    """Keep where the reader is (chapter or page from 0, per mille down it) and add the seconds
    read since the last save (at most two minutes a save)."""
    if not may_read(actor=actor, book=book):
        raise ApplicationError(_("Borrow this book to read it."), code="loan_required", status=403)
    errors = {}
    if not 0 <= position < max(book.pages, 1):
        errors["position"] = _("Must be between 0 and %(max)s.") % {"max": max(book.pages - 1, 0)}
    if not 0 <= offset <= 1000:
        errors["offset"] = _("Must be between 0 and 1000.")
    if not 0 <= seconds <= MAX_HEARTBEAT_SECONDS:
        errors["seconds"] = _("Must be between 0 and %(max)s.") % {"max": MAX_HEARTBEAT_SECONDS}
    if errors:
        raise ValidationError(errors)
    unit = _reader_unit(actor)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                row, created = ReadingProgress.objects.select_for_update().get_or_create(
                    book=book,
                    user=actor,
                    defaults={"organization": unit, "position": position, "offset": offset},
                )
                row.position, row.offset = position, offset
                row.seconds = min(row.seconds + seconds, 2**31 - 1)
                row.save(update_fields=["position", "offset", "seconds", "updated_at"])
                if created:
                    audit(actor=actor, action="members.book_open", obj=book, organization=unit)
                return row
        except IntegrityError:
            continue
    raise ApplicationError(_("Please try again."), code="conflict", status=409)


def continue_reading(*, actor: Any, limit: int = 3) -> list[ReadingProgress]:
    """The actor's books most recently read, still on the shelf and still readable."""
    if not getattr(actor, "is_authenticated", False):
        return []
    rows = (
        ReadingProgress.objects.filter(user=actor, book__is_active=True)
        .filter(book__in=books_for(actor=actor))
        .select_related("book")
        .defer("book__cover")
        .order_by("-updated_at")[: limit * 3]
    )
    return [r for r in rows if may_read(actor=actor, book=r.book)][:limit]


# -------------------------------------------------------------------------- reading lists
def reading_list_create(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    books: list[Book],
    occupation: Occupation | None = None,
    note: str = "",
) -> ReadingList:
    """A trainer recommends books (that the union's members can see) to an occupation."""
    access.require(actor, RECOMMEND, organization)
    if not books:
        raise ValidationError({"books": _("Choose at least one book.")})
    if len(books) > 100:
        raise ValidationError({"books": _("At most 100 books.")})
    reachable = set(
        Book.objects.filter(
            pk__in=[b.pk for b in books],
            is_active=True,
            organization__path__in=_above(organization),
        ).values_list("pk", flat=True)
    )
    for b in books:
        if b.pk not in reachable:
            raise ValidationError(
                {
                    "books": _("“%(title)s” is not in a library the union's members can read.")
                    % {"title": b.title}
                }
            )
    with transaction.atomic():
        rl = ReadingList(
            organization=organization,
            title=title,
            occupation=occupation,
            note=note,
            created_by=user_or_none(actor),
        )
        rl.full_clean()
        rl.save()
        rl.books.set(books)
        audit(actor=actor, action="members.reading_list_create", obj=rl)
    return rl


def _above(org: Organization) -> list[str]:
    from .audience import prefixes

    return prefixes(org.path)


def reading_lists_for(*, actor: Any, occupation: str | None = None) -> QuerySet[ReadingList]:
    """Lists recommended to the actor's unions; with an occupation code, for that occupation (and
    lists for every occupation)."""
    if not getattr(actor, "is_authenticated", False):
        return ReadingList.objects.none()
    qs = ReadingList.objects.filter(audience_q(actor)).select_related("organization", "occupation")
    if occupation:
        qs = qs.filter(Q(occupation_id=occupation[:20]) | Q(occupation__isnull=True))
    return qs.prefetch_related("books")


def reading_lists_managed(*, actor: Any) -> QuerySet[ReadingList]:
    return (
        ReadingList.objects.visible_to(actor, RECOMMEND)
        .select_related("organization", "occupation")
        .annotate(book_count=Count("books"))
    )


def reading_list_get(*, actor: Any, code: str) -> ReadingList:
    rl = (
        reading_lists_for(actor=actor).filter(code=code[:20]).first()
        or reading_lists_managed(actor=actor).filter(code=code[:20]).first()
    )
    if rl is None:
        raise Http404("reading list")
    return rl


# ------------------------------------------------------------------------------ statistics
def stats_union(*, actor: Any, organization: Organization) -> dict[str, Any]:
    """Readers, books and hours read in a union's subtree, in total and per union directly below.
    Aggregates only: no reader is named. 404 outside the actor's scope."""
    if not access.can(actor, STATS, organization):
        raise Http404("organization")
    rows = ReadingProgress.objects.filter(organization__path__startswith=organization.path)
    total = rows.aggregate(
        readers=Count("user", distinct=True),
        books=Count("book", distinct=True),
        seconds=Sum("seconds"),
    )
    children = list(
        Organization.objects.filter(parent=organization, is_active=True).order_by("path")[:1000]
    )
    per: dict[str, dict[str, Any]] = {}
    if children:
        width = len(children[0].path)
        per = {
            r["prefix"]: r
            for r in rows.filter(organization__path__gt=organization.path)
            .annotate(prefix=Substr("organization__path", 1, width))
            .values("prefix")
            .annotate(
                readers=Count("user", distinct=True),
                books=Count("book", distinct=True),
                seconds=Sum("seconds"),
            )
        }
    return {
        "organization": organization,
        "readers": total["readers"] or 0,
        "books": total["books"] or 0,
        "hours": round((total["seconds"] or 0) / 3600, 1),
        "units": [
            {
                "organization": c,
                "readers": per.get(c.path, {}).get("readers", 0),
                "books": per.get(c.path, {}).get("books", 0),
                "hours": round((per.get(c.path, {}).get("seconds") or 0) / 3600, 1),
            }
            for c in children
        ],
    }


def stats_organizations(*, actor: Any) -> QuerySet[Organization]:
    return (
        Organization.objects.visible_to(actor, STATS)
        .filter(is_active=True)
        .exclude(kind="team")
        .order_by("path")
    )
