"""E-library (网上图书馆): the catalogue of a union, its books' files, loans where a licence limits
copies, the waiting line for a copy, reading lists by occupation and each reader's progress."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.codes import new_code
from gongjiang.core.filecrypt import private_file_storage
from gongjiang.core.scoping import ScopedQuerySet

MAX_COPIES = 100_000
MAX_LOAN_DAYS = 365
MAX_POSITION = 1_000_000
MAX_REASON = 500


class Book(models.Model):
    """A title in the catalogue of a union: seen by the members of its subtree and the roles above."""

    class Format(models.TextChoices):
        EPUB = "epub", "EPUB"
        PDF = "pdf", "PDF"

    class Licence(models.TextChoices):
        OPEN = "open", _("open (anyone may read)")
        LIMITED = "limited", _("limited copies (borrow to read)")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="library_books",
        verbose_name=_("library of"),
    )
    title = models.CharField(pgettext_lazy("book", "title"), max_length=200)
    author = models.CharField(_("author"), max_length=200)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True)
    subjects = models.JSONField(_("subjects"), default=list, blank=True)
    occupations = models.ManyToManyField(
        "core.Occupation", blank=True, related_name="+", verbose_name=_("occupations")
    )
    description = models.TextField(_("description"), max_length=4000, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    file = models.FileField(
        _("file"), upload_to="library/%Y/", storage=private_file_storage, max_length=200
    )
    file_size = models.PositiveIntegerField(default=0)
    cover = models.BinaryField(_("cover"), max_length=512 * 1024, blank=True, default=b"")
    cover_type = models.CharField(max_length=20, blank=True)
    # when the cover last changed (null: since the book was added); part of the cover's URL, so a
    # replaced cover gets a new URL and no phone shows the old one from its cache
    cover_changed_at = models.DateTimeField(null=True, blank=True)
    # EPUB: [{"href": "...", "title": "..."}] in spine order; PDF: one entry per page is not needed
    contents = models.JSONField(default=list, blank=True)
    pages = models.PositiveIntegerField(
        _("pages or chapters"), default=0, validators=[MaxValueValidator(MAX_POSITION)]
    )
    licence = models.CharField(
        pgettext_lazy("book", "licence"),
        max_length=10,
        choices=Licence.choices,
        default=Licence.OPEN,
    )
    copies = models.PositiveIntegerField(
        _("copies"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_COPIES)],
        help_text=_("how many readers may borrow it at once (limited licence)"),
    )
    loan_days = models.PositiveSmallIntegerField(
        _("loan days"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LOAN_DAYS)],
    )
    is_active = models.BooleanField(_("on the shelf"), default=True)
    withdrawn_reason = models.CharField(
        _("reason for taking it off the shelf"), max_length=MAX_REASON, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("book")
        verbose_name_plural = _("books")

    def __str__(self) -> str:
        return self.title

    @property
    def is_limited(self) -> bool:
        return self.licence == self.Licence.LIMITED

    @property
    def cover_version(self) -> str:
        """Changes whenever the cover does (the microseconds of its last change, in base 36)."""
        changed = self.cover_changed_at or self.created_at
        if changed is None:
            return "0"
        n, out = int(changed.timestamp() * 1_000_000), ""
        while n:
            n, r = divmod(n, 36)
            out = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + out
        return out or "0"

    @property
    def cover_url(self) -> str:
        from django.urls import reverse

        return f"{reverse('members:book_cover', args=[self.code])}?v={self.cover_version}"


class BookLoan(models.Model):
    """A copy lent to a reader until ``due_at`` (or returned earlier)."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="loans")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(_("due"), db_index=True)
    returned_at = models.DateTimeField(pgettext_lazy("book", "returned"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "user"],
                condition=models.Q(returned_at__isnull=True),
                name="members_loan_one_open_per_reader",
            )
        ]

    def __str__(self) -> str:
        return f"{self.book_id} · {self.user_id}"


class BookHold(models.Model):
    """A reader waiting for a copy; the first in line gets the next copy returned."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="holds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["book", "user"], name="members_hold_once_per_reader")
        ]

    def __str__(self) -> str:
        return f"{self.book_id} · {self.user_id}"


class ReadingProgress(models.Model):
    """Where a reader is in a book (chapter or page, and how far down it) and time spent reading.
    ``organization`` is the reader's unit, so a union counts its readers in aggregate."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="progress")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(
        _("chapter or page"), default=0, validators=[MaxValueValidator(MAX_POSITION)]
    )
    offset = models.PositiveSmallIntegerField(
        _("per mille down the page"), default=0, validators=[MaxValueValidator(1000)]
    )
    seconds = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["book", "user"], name="members_progress_once")
        ]

    def __str__(self) -> str:
        return f"{self.book_id} · {self.user_id} @ {self.position}"


class ReadingList(models.Model):
    """Books a trainer recommends to the workers of an occupation in a union's subtree."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="reading_lists",
        verbose_name=_("for the members of"),
    )
    title = models.CharField(pgettext_lazy("book", "title"), max_length=200)
    occupation = models.ForeignKey(
        "core.Occupation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("occupation"),
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    books = models.ManyToManyField(Book, related_name="reading_lists", verbose_name=_("books"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reading list")
        verbose_name_plural = _("reading lists")

    def __str__(self) -> str:
        return self.title
