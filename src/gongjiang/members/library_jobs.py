"""A book put on the shelf is checked in a background job (``members.book_check``), not in the
request: checking a large EPUB — every entry scanned for scripts — takes seconds.

The request does what is quick: the permission, the size (read with the bound), the format told
by the first bytes, the ISBN's check digit, the subjects and the occupations; it stores the file
with the job (encrypted at rest, ``core.jobs``) and answers at once. The job runs the full check
(``library_files.check_book``) with progress and puts the book on the shelf through the one
service, ``library.book_add``; a refused file fails the job with the reason, naming the entry of
the EPUB at fault. Only the person who started it follows the job (``core:job_detail``, API
``GET /api/v1/members/library/checks/{job}``); its result links to the book.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.jobs import Progress, job_handler, job_start, own_job_get
from gongjiang.core.models import Job, Occupation, Organization

from . import library
from .library_files import book_format, isbn_normalise, read_upload

KIND = "members.book_check"


def book_check_start(
    *,
    actor: Any,
    organization: Organization,
    upload: Any,
    title: str = "",
    author: str = "",
    isbn: str = "",
    subjects: Any = (),
    occupations: list[Occupation] | tuple[Occupation, ...] = (),
    licence: str = "open",
    copies: int = 1,
    loan_days: int = 14,
    cover: Any = None,
) -> Job:
    """Store the upload and start the check; what can be refused at once is refused here —
    also a cover uploaded with the book (checked by ``core.images`` now, carried by the job as
    the encoded-again image, put on the book when it goes on the shelf)."""
    access.require(actor, library.MANAGE, organization)
    checked = library.cover_check(cover) if cover is not None else None
    data = read_upload(upload)
    fmt = book_format(data)
    params = {
        "title": (title or "").strip()[:200],
        "author": (author or "").strip()[:200],
        "isbn": isbn_normalise(isbn),
        "subjects": library.subjects_clean(subjects),
        "occupations": [o.code for o in occupations][:50],
        "licence": licence,
        "copies": copies,
        "loan_days": loan_days,
        "language": translation.get_language(),
    }
    if checked is not None:
        params["cover"] = base64.b64encode(checked.data).decode("ascii")
    return job_start(
        actor=actor,
        kind=KIND,
        organization=organization,
        params=params,
        input_file=ContentFile(data),
        input_name=f"book.{fmt}",
    )


def book_check_get(*, actor: Any, code: str) -> Job:
    """A check the actor started (404 for anything else)."""
    return own_job_get(actor=actor, code=code[:20], kind=KIND)


@job_handler(KIND)
def run_book_check(job: Job, progress: Progress) -> dict[str, Any]:
    actor = get_user_model().objects.get(pk=job.created_by_id)
    access.forget(actor)
    p = job.params
    assert job.organization is not None
    with translation.override(p.get("language") or translation.get_language()):
        with job.input_file.open("rb") as fh:
            book = library.book_add(
                actor=actor,
                organization=job.organization,
                upload=fh,
                title=p["title"],
                author=p["author"],
                isbn=p["isbn"],
                subjects=p["subjects"],
                occupations=list(Occupation.objects.filter(code__in=p["occupations"])),
                licence=p["licence"],
                copies=p["copies"],
                loan_days=p["loan_days"],
                progress=progress,
                cover=ContentFile(base64.b64decode(p["cover"])) if p.get("cover") else None,
            )
        progress(job.total or 1, job.total or 1, _("The book is on the shelf."))
        return {
            "book": book.code,
            "title": book.title,
            "url": reverse("members:book_detail", args=[book.code]),
            "url_label": _("Open “%(title)s”") % {"title": book.title},
        }
