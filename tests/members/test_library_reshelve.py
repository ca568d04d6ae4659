"""E-library: taking a book off the shelf needs a reason (required, at most 500 characters, never
cut), shown in the book's history; a withdrawn book is put back on the shelf from the page and
through the API, audited; a cover uploaded together with the book's file goes through
core.images; the cover's URL changes when the cover does. Scoped: 404 outside the subtree."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import AuditEvent
from gongjiang.members import library, library_jobs
from gongjiang.members.models import Book

from ..factories import UserFactory, member
from .library_helpers import add_book, good_pdf
from .test_library_manage_actions import jpeg_with_exif


@pytest.fixture
def books(world: Any, tmp_path: Any, settings: Any) -> tuple[Any, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return add_book(world.alice, world.city_a, title="电工基础"), add_book(
        world.bob, world.province_b, title="浙江书"
    )


def test_withdraw_needs_a_bounded_reason_and_reshelve_is_audited(world: Any, books: Any) -> None:
    book, _other = books
    for reason, code in [("", "required"), ("   ", "required"), ("因" * 501, "too_long")]:
        with pytest.raises(ValidationError) as exc:
            library.book_withdraw(actor=world.alice, book=book, reason=reason)
        assert "reason" in exc.value.message_dict, reason
        assert exc.value.error_dict["reason"][0].code == code
    assert Book.objects.get(pk=book.pk).is_active
    assert not AuditEvent.objects.filter(action="members.book_withdraw").exists()
    library.book_withdraw(actor=world.alice, book=book, reason="因" * 500)  # the bound itself
    row = Book.objects.get(pk=book.pk)
    assert not row.is_active and row.withdrawn_reason == "因" * 500
    with pytest.raises(ConflictError):
        library.book_withdraw(actor=world.alice, book=row, reason="again")
    library.book_reshelve(actor=world.alice_admin, book=row)
    row = Book.objects.get(pk=book.pk)
    assert row.is_active and row.withdrawn_reason == ""
    with pytest.raises(ConflictError):
        library.book_reshelve(actor=world.alice, book=row)
    event = AuditEvent.objects.get(action="members.book_reshelve")
    assert event.details["withdrawn_reason"] == "因" * 500
    assert [e.action for e in library.book_history(book=row)] == [
        "members.book_reshelve",
        "members.book_withdraw",
        "members.book_add",
    ]
    # another province's manager cannot act on it (the pages and API answer 404 before this)
    with pytest.raises(PermissionDenied):
        library.book_reshelve(actor=world.bob, book=row)


def test_page_withdraw_reason_history_and_reshelve_scoped(
    client: Any, world: Any, books: Any
) -> None:
    book, _other = books
    manage = reverse("members:library_manage")
    act = reverse("members:library_book_act", args=[book.code])
    history = reverse("members:library_book_history", args=[book.code])
    client.force_login(world.alice)
    # no reason, or one past 500 characters: refused naming it, not cut and saved
    for reason in ("", "长" * 501):
        r = client.post(act, {"act": "withdraw", "reason": reason}, follow=True)
        messages = " ".join(str(m) for m in r.context["messages"])
        assert "500" in messages or "原因" in messages or "reason" in messages, messages
    assert Book.objects.get(pk=book.pk).is_active
    r = client.post(act, {"act": "withdraw", "reason": "教材已改版"})
    assert r.status_code == 302
    html = client.get(manage).text
    assert f'id="reshelve-{book.code}"' in html and "教材已改版" in html
    page = client.get(history)
    assert page.status_code == 200 and "教材已改版" in page.text
    # another province's manager: 404 everywhere, nothing counted
    client.force_login(world.bob)
    assert client.get(history).status_code == 404
    assert client.post(act, {"act": "reshelve"}).status_code == 404
    assert f"book-{book.code}" not in client.get(manage).text
    # a reader of the subtree: not a manager
    reader = UserFactory(username="reader_r")
    member(reader, world.enterprise_a, "worker")
    client.force_login(reader)
    assert client.post(act, {"act": "reshelve"}).status_code == 403
    assert client.get(reverse("members:book_detail", args=[book.code])).status_code == 404
    client.force_login(world.alice)
    r = client.post(act, {"act": "reshelve"})
    assert r.status_code == 302 and Book.objects.get(pk=book.pk).is_active
    assert "members.book_reshelve" in {e.action for e in library.book_history(book=book)}
    client.force_login(reader)
    assert client.get(reverse("members:book_detail", args=[book.code])).status_code == 200


def test_api_withdraw_and_reshelve(client: Any, world: Any, books: Any) -> None:
    book, other = books
    base = f"/api/v1/members/library/books/{book.code}"
    client.force_login(world.alice)
    r = client.post(f"{base}/withdraw", {}, content_type="application/json")
    assert r.status_code == 422 and "reason" in str(r.json())
    r = client.post(f"{base}/withdraw", {"reason": "x" * 501}, content_type="application/json")
    assert r.status_code == 422 and "reason" in str(r.json())
    assert Book.objects.get(pk=book.pk).is_active
    r = client.post(f"{base}/withdraw", {"reason": "  "}, content_type="application/json")
    assert r.status_code in (400, 422) and "reason" in str(r.json())
    r = client.post(f"{base}/withdraw", {"reason": "版权到期"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["on_shelf"] is False
    assert (
        client.post(
            f"{base}/withdraw", {"reason": "再次"}, content_type="application/json"
        ).status_code
        == 409
    )
    # out of the subtree: 404, not 403, for the book and for the other province's
    client.force_login(world.bob)
    assert client.post(f"{base}/reshelve").status_code == 404
    r = client.post(f"{base}/withdraw", {"reason": "x"}, content_type="application/json")
    assert r.status_code == 404
    client.force_login(world.alice)
    other_url = f"/api/v1/members/library/books/{other.code}/reshelve"
    assert client.post(other_url).status_code == 404
    r = client.post(f"{base}/reshelve")
    assert r.status_code == 200 and r.json()["on_shelf"] is True
    assert client.post(f"{base}/reshelve").status_code == 409
    assert AuditEvent.objects.filter(action="members.book_reshelve").count() == 1


def test_cover_uploaded_with_the_book_and_url_versioned(
    client: Any, world: Any, books: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.alice)
    url = reverse("members:library_manage")
    ask = {
        "organization": world.city_a.code,
        "title": "带封面的书",
        "author": "某人",
        "licence": "open",
        "copies": 1,
        "loan_days": 14,
    }
    # a hostile cover is refused in the request, naming the field, and no job starts
    r = client.post(
        url,
        {
            **ask,
            "file": SimpleUploadedFile("a.pdf", good_pdf(1)),
            "cover": SimpleUploadedFile("c.png", b"<svg onload=alert(1)></svg>"),
        },
    )
    assert r.status_code == 200 and "cover" in r.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            url,
            {
                **ask,
                "file": SimpleUploadedFile("a.pdf", good_pdf(1)),
                "cover": SimpleUploadedFile("c.jpg", jpeg_with_exif(1200, 900)),
            },
        )
    assert r.status_code == 302
    book = Book.objects.get(title="带封面的书")
    assert book.cover_type == "image/jpeg" and b"SecretCam" not in bytes(book.cover)
    first = book.cover_url
    assert f"?v={book.cover_version}" in first
    detail = client.get(reverse("members:book_detail", args=[book.code])).text
    assert first.replace("&", "&amp;") in detail
    r = client.get(first)
    assert r.status_code == 200 and "immutable" in r["Cache-Control"]
    assert (
        "no-cache" in client.get(reverse("members:book_cover", args=[book.code]))["Cache-Control"]
    )
    library.book_cover_set(
        actor=world.alice, book=book, upload=SimpleUploadedFile("d.png", jpeg_with_exif(300, 300))
    )
    book = Book.objects.get(pk=book.pk)
    assert book.cover_url != first  # a replaced cover: a new URL, no stale cover on phones
    assert "no-cache" in client.get(first)["Cache-Control"]  # the old URL is not kept
    # out of the subtree: the cover is 404
    client.force_login(world.bob)
    assert client.get(book.cover_url).status_code == 404


def test_api_upload_with_cover(world: Any, books: Any) -> None:
    from gongjiang.core.jobs import job_execute

    with pytest.raises(ApplicationError) as exc:
        library_jobs.book_check_start(
            actor=world.alice,
            organization=world.city_a,
            upload=SimpleUploadedFile("b.pdf", good_pdf(1)),
            title="书",
            author="乙",
            cover=SimpleUploadedFile("c.gif", b"GIF89a" + b"\0" * 40),
        )
    assert exc.value.details[0]["field"] == "cover"
    job = library_jobs.book_check_start(
        actor=world.alice,
        organization=world.city_a,
        upload=SimpleUploadedFile("b.pdf", good_pdf(1)),
        title="封面书",
        author="乙",
        cover=SimpleUploadedFile("c.jpg", jpeg_with_exif(100, 80)),
    )
    job = job_execute(job)
    assert job.status == "succeeded", job.result
    book = Book.objects.get(code=job.result["book"])
    assert book.cover_type == "image/jpeg"
    assert AuditEvent.objects.get(action="members.book_add", object_code=book.code).details[
        "cover_uploaded"
    ]
