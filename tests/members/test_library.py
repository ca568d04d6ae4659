"""E-library: catalogue scoping, reading and progress, loans and the waiting line, reading lists
by occupation (trainers only), statistics per union, and 404 outside the scope on every page and
endpoint."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent, Occupation
from gongjiang.members import library, library_reader
from gongjiang.members.models import Book, BookHold, BookLoan, ReadingProgress

from ..access_helpers import check_access
from ..factories import UserFactory, member
from .library_helpers import add_book, chapter, epub_with, good_pdf


@dataclass
class Lib:
    open: Any  # EPUB, province A, open licence
    limited: Any  # EPUB, province A, 1 copy
    pdf: Any  # PDF, city A
    book_b: Any  # EPUB, province B
    worker_b: Any
    trainer: Any  # trainer at enterprise A
    occupation: Any


@pytest.fixture
def lib(world: Any, tmp_path: Any, settings: Any) -> Lib:
    settings.MEDIA_ROOT = tmp_path / "media"
    occupation = Occupation.objects.filter(level="occupation").order_by("code").first()
    opened = add_book(world.alice, world.province_a, isbn="0-306-40615-2", subjects="焊接,安全")
    opened.occupations.set([occupation])
    limited = add_book(
        world.alice, world.province_a, title="限借图书", licence="limited", copies=1, loan_days=7
    )
    pdf = add_book(world.alice, world.city_a, good_pdf(3), title="电工基础")
    book_b = add_book(world.bob, world.province_b, title="浙江书")
    worker_b = UserFactory(username="worker_b")
    member(worker_b, world.enterprise_b, "worker")
    trainer = UserFactory(username="trainer_a")
    member(trainer, world.enterprise_a, "trainer")
    return Lib(opened, limited, pdf, book_b, worker_b, trainer, occupation)


def test_book_add_stores_isbn13_and_is_audited(world: Any, lib: Lib) -> None:
    assert lib.open.isbn == "9780306406157"
    assert lib.open.subjects == ["焊接", "安全"]
    assert lib.open.pages == 3 and lib.pdf.pages == 3 and lib.pdf.format == "pdf"
    assert AuditEvent.objects.filter(action="members.book_add").count() == 4
    with pytest.raises(ValidationError) as exc:
        add_book(world.alice, world.province_a, isbn="978-0-306-40615-8")
    assert "isbn" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        add_book(world.worker_a, world.enterprise_a)
    with pytest.raises(PermissionDenied):  # bob's role does not cover province A
        add_book(world.bob, world.province_a)
    assert Book.objects.count() == 4  # nothing half-written


def test_catalogue_scope(world: Any, lib: Lib) -> None:
    seen = set(library.books_for(actor=world.worker_a).values_list("code", flat=True))
    assert seen == {lib.open.code, lib.limited.code, lib.pdf.code}
    assert set(library.books_for(actor=lib.worker_b).values_list("code", flat=True)) == {
        lib.book_b.code
    }
    with pytest.raises(Http404):
        library.book_get(actor=lib.worker_b, code=lib.open.code)
    assert library.books_for(actor=world.nobody).count() == 0
    assert [b.code for b in library.book_search(actor=world.worker_a, q="9780306406157")] == [
        lib.open.code
    ]
    found = library.book_search(actor=world.worker_a, occupation=lib.occupation.code)
    assert [b.code for b in found] == [lib.open.code]


def test_progress_is_personal_and_kept(world: Any, lib: Lib) -> None:
    row = library.progress_save(
        actor=world.worker_a, book=lib.open, position=2, offset=400, seconds=60
    )
    library.progress_save(actor=world.worker_a, book=lib.open, position=2, offset=500, seconds=30)
    row.refresh_from_db()
    assert (row.position, row.offset, row.seconds) == (2, 500, 90)
    assert row.organization == world.enterprise_a
    assert [p.book for p in library.continue_reading(actor=world.worker_a)] == [lib.open]
    assert library.continue_reading(actor=world.alice) == []
    for bad in ({"position": 3}, {"position": 0, "offset": 1001}, {"position": 0, "seconds": 121}):
        with pytest.raises(ValidationError):
            library.progress_save(actor=world.worker_a, book=lib.open, **bad)
    with pytest.raises(ApplicationError):  # limited: borrow first
        library.progress_save(actor=world.worker_a, book=lib.limited, position=0)


def test_loans_limit_and_waiting_line(world: Any, lib: Lib) -> None:
    other = UserFactory(username="worker_a2")
    member(other, world.team_a, "worker")
    loan = library.book_borrow(actor=world.worker_a, book=lib.limited)
    assert isinstance(loan, BookLoan) and loan.due_at > timezone.now() + dt.timedelta(days=6)
    assert library.may_read(actor=world.worker_a, book=lib.limited)
    hold = library.book_borrow(actor=other, book=lib.limited)
    assert isinstance(hold, BookHold) and library.hold_place(actor=other, book=lib.limited) == 1
    assert not library.may_read(actor=other, book=lib.limited)
    assert library.copies_free(book=lib.limited) == 0
    # borrowing again returns the same loan, never a second copy
    assert library.book_borrow(actor=world.worker_a, book=lib.limited).pk == loan.pk
    library.book_return(actor=world.worker_a, book=lib.limited)
    assert not library.may_read(actor=world.worker_a, book=lib.limited)
    assert library.may_read(actor=other, book=lib.limited)  # the next in line got the copy
    assert BookHold.objects.count() == 0
    with pytest.raises(ApplicationError):
        library.book_borrow(actor=world.worker_a, book=lib.open)


def test_loans_expire_and_pass_on(world: Any, lib: Lib) -> None:
    other = UserFactory(username="worker_a3")
    member(other, world.enterprise_a, "worker")
    library.book_borrow(actor=world.worker_a, book=lib.limited)
    library.book_borrow(actor=other, book=lib.limited)
    BookLoan.objects.update(due_at=timezone.now() - dt.timedelta(seconds=1))
    assert not library.may_read(actor=world.worker_a, book=lib.limited)
    assert library.loans_settle_all(actor=world.root) == 1
    assert library.may_read(actor=other, book=lib.limited)
    expired = BookLoan.objects.get(user=world.worker_a)
    assert expired.returned_at == expired.due_at


def test_the_scheduled_job_settles_expired_loans_and_tells_the_next_reader(
    world: Any, lib: Lib
) -> None:
    from gongjiang.core.schedule import schedule_entry
    from gongjiang.members.models import Notification
    from gongjiang.members.tasks import library_settle

    entry = schedule_entry("members.library_settle")
    assert entry.task == "gongjiang.members.tasks.library_settle" and entry.every == 900
    other = UserFactory(username="worker_a4")
    member(other, world.enterprise_a, "worker")
    library.book_borrow(actor=world.worker_a, book=lib.limited)
    library.book_borrow(actor=other, book=lib.limited)  # waits in line
    assert library.hold_place(actor=other, book=lib.limited) == 1
    assert library_settle.call() == 0  # nothing due yet: nothing moves
    BookLoan.objects.update(due_at=timezone.now() - dt.timedelta(minutes=1))
    library_settle.enqueue()  # the tests' task backend runs it at once
    assert library.may_read(actor=other, book=lib.limited)
    assert library.hold_place(actor=other, book=lib.limited) is None
    assert BookLoan.objects.get(user=world.worker_a).returned_at is not None
    note = Notification.objects.get(user=other)
    assert "限借图书" in note.title and note.url.endswith(f"/{lib.limited.code}/")
    assert not Notification.objects.filter(user=world.worker_a).exists()
    assert AuditEvent.objects.filter(action="members.book_loan_promote").count() == 1


def test_reading_lists_by_trainers(world: Any, lib: Lib) -> None:
    with pytest.raises(PermissionDenied):  # an officer is not a trainer
        library.reading_list_create(
            actor=world.enterprise_officer_a,
            organization=world.enterprise_a,
            title="x",
            books=[lib.open],
        )
    with pytest.raises(ValidationError):  # a book the union's members cannot read
        library.reading_list_create(
            actor=lib.trainer, organization=world.enterprise_a, title="x", books=[lib.book_b]
        )
    rl = library.reading_list_create(
        actor=lib.trainer,
        organization=world.enterprise_a,
        title="焊工必读",
        occupation=lib.occupation,
        books=[lib.open, lib.pdf],
    )
    assert list(
        library.reading_lists_for(actor=world.worker_a, occupation=lib.occupation.code)
    ) == [rl]
    assert list(library.reading_lists_for(actor=world.worker_a, occupation="9-99-99-99")) == []
    assert list(library.reading_lists_for(actor=lib.worker_b)) == []


def test_stats_per_union_are_aggregates_in_scope(world: Any, lib: Lib) -> None:
    team_worker = UserFactory(username="team_worker")
    member(team_worker, world.team_a, "worker")
    library.progress_save(actor=world.worker_a, book=lib.open, position=0, seconds=120)
    library.progress_save(actor=world.worker_a, book=lib.pdf, position=1, seconds=120)
    library.progress_save(actor=team_worker, book=lib.open, position=1, seconds=60)
    library.progress_save(actor=lib.worker_b, book=lib.book_b, position=0, seconds=120)
    s = library.stats_union(actor=world.alice, organization=world.province_a)
    assert (s["readers"], s["books"]) == (2, 2)
    assert s["hours"] == round(300 / 3600, 1)
    assert [(u["organization"], u["readers"], u["books"]) for u in s["units"]] == [
        (world.city_a, 2, 2)
    ]
    ent = library.stats_union(actor=world.alice, organization=world.enterprise_a)
    assert [(u["organization"], u["readers"]) for u in ent["units"]] == [(world.team_a, 1)]
    assert (ent["readers"], ent["books"]) == (2, 2)
    # recount from the rows equals the figures
    rows = ReadingProgress.objects.filter(organization__path__startswith=world.province_a.path)
    assert s["readers"] == len({r.user_id for r in rows})
    with pytest.raises(Http404):
        library.stats_union(actor=world.bob, organization=world.province_a)
    with pytest.raises(Http404):
        library.stats_union(actor=world.worker_a, organization=world.enterprise_a)


def test_chapter_is_sanitised_and_links_rewritten(world: Any, lib: Lib) -> None:
    body = (
        '<p style="color:red" class="x">正文</p><a href="c2.xhtml#s">下一章</a>'
        '<img src="../img/a.png" alt="图"/><a href="https://example.com/">外链</a>'
    )
    book = add_book(
        world.alice, world.province_a, epub_with(replace={"OEBPS/c1.xhtml": chapter(body)})
    )
    html = library_reader.chapter_html(book, 1)
    assert "style=" not in html and "正文" in html
    read = reverse("members:book_read", args=[book.code])
    assert f'href="{read}?at=2#s"' in html
    assert reverse("members:book_resource", args=[book.code, "img/a.png"]) in html
    assert 'rel="noopener noreferrer nofollow"' in html
    with pytest.raises(Http404):
        library_reader.chapter_html(book, 3)
    with pytest.raises(Http404):  # not an image
        library_reader.resource(book, "OEBPS/c0.xhtml")
    png = library_reader.pdf_page_png(lib.pdf, 0, 480)
    assert png.startswith(b"\x89PNG")


# ----------------------------------------------------------------------------------- pages
def test_worker_pages(client: Any, world: Any, lib: Lib) -> None:
    client.force_login(world.worker_a)
    r = client.get(reverse("members:library"))
    assert r.status_code == 200 and lib.open.title.encode() in r.content
    assert lib.book_b.title.encode() not in r.content
    r = client.get(reverse("members:book_read", args=[lib.open.code]) + "?at=1")
    assert r.status_code == 200 and "焊接要领".encode() in r.content
    assert ReadingProgress.objects.get(user=world.worker_a, book=lib.open).position == 1
    r = client.post(
        reverse("members:book_progress", args=[lib.open.code]),
        {"position": 1, "offset": 640, "seconds": 30},
    )
    assert r.status_code == 200 and r.json() == {"position": 1, "offset": 640}
    r = client.post(reverse("members:book_progress", args=[lib.open.code]), {"position": 99})
    assert r.status_code == 400 and "position" in r.json()["errors"]
    r = client.get(reverse("members:home"))
    assert b"home-reading" in r.content and lib.open.title.encode() in r.content
    # reopening without ?at goes back to where the reader was, scrolled to the same place
    r = client.get(reverse("members:book_read", args=[lib.open.code]))
    assert b'data-position="1"' in r.content and b'data-offset="640"' in r.content
    # PDF page image
    r = client.get(reverse("members:book_read", args=[lib.pdf.code]) + "?at=2")
    assert r.status_code == 200 and b"page/3.png" in r.content
    r = client.get(reverse("members:book_page", args=[lib.pdf.code, 3]))
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert client.get(reverse("members:book_page", args=[lib.pdf.code, 4])).status_code == 404
    # a limited book is read only with a loan
    assert client.get(reverse("members:book_read", args=[lib.limited.code])).status_code == 403
    r = client.post(reverse("members:book_borrow", args=[lib.limited.code]))
    assert r.status_code == 302
    assert client.get(reverse("members:book_read", args=[lib.limited.code])).status_code == 200
    client.post(reverse("members:book_return", args=[lib.limited.code]))
    assert client.get(reverse("members:book_read", args=[lib.limited.code])).status_code == 403


def test_manage_pages(
    client: Any, world: Any, lib: Lib, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.alice)
    url = reverse("members:library_manage")
    with django_capture_on_commit_callbacks(execute=True):  # the check runs as a job
        r = client.post(
            url,
            {
                "organization": world.city_a.code,
                "file": SimpleUploadedFile(
                    "evil.epub",
                    epub_with(replace={"OEBPS/c1.xhtml": chapter("<script>x</script>")}),
                ),
                "licence": "open",
                "copies": 1,
                "loan_days": 14,
            },
        )
    assert r.status_code == 302 and "/jobs/" in r["Location"]
    r = client.get(r["Location"])
    assert r.status_code == 200 and b"OEBPS/c1.xhtml" in r.content
    assert Book.objects.count() == 4
    # not an EPUB or a PDF at all: refused in the request, no job
    r = client.post(
        url,
        {
            "organization": world.city_a.code,
            "file": SimpleUploadedFile("a.epub", b"<html><script>x</script></html>"),
            "licence": "open",
            "copies": 1,
            "loan_days": 14,
        },
    )
    assert r.status_code == 200 and "只接受 EPUB 和 PDF".encode() in r.content
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            url,
            {
                "organization": world.city_a.code,
                "file": SimpleUploadedFile("a.pdf", good_pdf(2)),
                "title": "新书",
                "author": "某人",
                "isbn": "0-306-40615-2",
                "licence": "limited",
                "copies": 3,
                "loan_days": 14,
            },
        )
    assert r.status_code == 302
    book = Book.objects.get(title="新书")
    assert book.copies == 3
    page = client.get(r["Location"]).content.decode()
    assert reverse("members:book_detail", args=[book.code]) in page  # the job links to the book
    r = client.post(
        url, {"organization": world.city_b.code, "file": SimpleUploadedFile("a.pdf", good_pdf(1))}
    )
    assert r.status_code == 404
    client.force_login(world.worker_a)
    assert client.get(url).status_code == 403
    # stats and its Excel download
    client.force_login(world.alice)
    r = client.get(reverse("members:library_stats") + f"?organization={world.city_a.code}")
    assert r.status_code == 200 and b"stats-units" in r.content
    r = client.get(
        reverse("members:library_stats") + f"?organization={world.city_a.code}&format=xlsx"
    )
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    # reading lists: trainers only
    r = client.get(reverse("members:library_lists"))
    assert r.status_code == 403
    client.force_login(lib.trainer)
    r = client.post(
        reverse("members:library_lists"),
        {
            "organization": world.enterprise_a.code,
            "title": "必读",
            "books": f"{lib.open.code},{lib.pdf.code}",
        },
    )
    assert r.status_code == 302
    r = client.post(
        reverse("members:library_lists"),
        {"organization": world.enterprise_a.code, "title": "必读", "books": lib.book_b.code},
    )
    assert r.status_code == 200 and "部分图书编码不存在".encode() in r.content


def test_scoped_access_on_every_page(client: Any, world: Any, lib: Lib) -> None:
    code = lib.open.code
    rl = library.reading_list_create(
        actor=lib.trainer, organization=world.enterprise_a, title="必读", books=[lib.open]
    )
    worker, out = world.worker_a, lib.worker_b
    for name, args in [
        ("book_detail", [code]),
        ("book_read", [code]),
        ("book_cover", [lib.pdf.code]),
        ("book_page", [lib.pdf.code, 1]),
        ("reading_list", [rl.code]),
    ]:
        check_access(
            client, url=reverse(f"members:{name}", args=args), in_scope=worker, out_of_scope=out
        )
    check_access(
        client,
        url=reverse("members:book_progress", args=[code]),
        method="post",
        data={"position": 0},
        in_scope=worker,
        out_of_scope=out,
    )
    check_access(
        client,
        url=reverse("members:book_borrow", args=[lib.limited.code]),
        method="post",
        in_scope=worker,
        out_of_scope=out,
        ok=302,
    )
    check_access(
        client,
        url=reverse("members:book_return", args=[lib.limited.code]),
        method="post",
        in_scope=worker,
        out_of_scope=out,
        ok=302,
    )
    check_access(
        client,
        url=reverse("members:library_stats") + f"?organization={world.city_a.code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )


def test_scoped_access_on_every_endpoint(client: Any, world: Any, lib: Lib) -> None:
    base = "/api/v1/members/library"
    code = lib.open.code
    rl = library.reading_list_create(
        actor=lib.trainer, organization=world.enterprise_a, title="必读", books=[lib.open]
    )
    worker, out = world.worker_a, lib.worker_b
    check_access(client, url=f"{base}/books/{code}", in_scope=worker, out_of_scope=out)
    check_access(client, url=f"{base}/books/{code}/chapters/0", in_scope=worker, out_of_scope=out)
    check_access(
        client,
        url=f"{base}/books/{code}/progress",
        method="put",
        data={"position": 1, "offset": 10, "seconds": 5},
        in_scope=worker,
        out_of_scope=out,
    )
    check_access(
        client, url=f"{base}/books/{lib.limited.code}/borrow", method="post", data={},
        in_scope=worker, out_of_scope=out,
    )  # fmt: skip
    check_access(
        client, url=f"{base}/books/{lib.limited.code}/return", method="post", data={},
        in_scope=worker, out_of_scope=out,
    )  # fmt: skip
    check_access(
        client,
        url=f"{base}/stats/{world.city_a.code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"{base}/reading-lists",
        method="post",
        data={"organization": world.enterprise_a.code, "title": "x", "books": [code]},
        in_scope=lib.trainer,
        out_of_scope=lib.worker_b,
        ok=201,
    )
    # lists: the catalogue and one's own reading hold nothing of another province
    client.force_login(out)
    assert client.get(f"{base}/books").json()["count"] == 1
    assert client.get(f"{base}/reading").json() == []
    assert client.get(f"{base}/reading-lists").json() == []
    client.force_login(worker)
    data = client.get(f"{base}/books?page_size=10").json()
    assert data["count"] == 3
    assert [r["book"] for r in client.get(f"{base}/reading").json()] == [code]
    assert rl.code in {r["code"] for r in client.get(f"{base}/reading-lists").json()}
    r = client.put(
        f"{base}/books/{code}/progress",
        data='{"position": 1, "offset": 10, "seconds": 5, "extra": 1}',
        content_type="application/json",
    )
    assert r.status_code == 422
    r = client.put(
        f"{base}/books/{code}/progress",
        data='{"position": 100000000000000000000}',
        content_type="application/json",
    )
    assert r.status_code == 422


def test_api_upload(
    client: Any, world: Any, lib: Lib, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/api/v1/members/library/books",
            {
                "file": SimpleUploadedFile("x.epub", epub_with(extra=[("OEBPS/x.js", "alert(1)")])),
                "organization": world.city_a.code,
            },
        )
    assert r.status_code == 202, r.content
    check = client.get(f"/api/v1/members/library/checks/{r.json()['code']}").json()
    assert check["status"] == "failed" and "OEBPS/x.js" in check["error"]
    assert check["book"] is None
    r = client.post(
        "/api/v1/members/library/books",
        {"file": SimpleUploadedFile("x.pdf", good_pdf(1)), "organization": world.city_b.code},
    )
    assert r.status_code == 404
    r = client.post(
        "/api/v1/members/library/books",
        {"file": SimpleUploadedFile("x.txt", b"plain text"), "organization": world.city_a.code},
    )
    assert r.status_code in (400, 422) and "file" in str(r.json()["details"])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/api/v1/members/library/books",
            {
                "file": SimpleUploadedFile("x.pdf", good_pdf(1)),
                "organization": world.city_a.code,
                "title": "API书",
                "author": "甲",
                "licence": "limited",
                "copies": 2,
            },
        )
    assert r.status_code == 202 and r.json()["status"] == "queued"
    url = f"/api/v1/members/library/checks/{r.json()['code']}"
    check = client.get(url).json()
    assert check["status"] == "succeeded" and check["percent"] == 100, check
    book = client.get(f"/api/v1/members/library/books/{check['book']}").json()
    assert book["copies"] == 2 and book["title"] == "API书"
    # only its uploader follows a check: another officer, even in scope, gets 404
    client.force_login(world.alice_admin)
    assert client.get(url).status_code == 404
    client.force_login(world.bob)
    assert client.get(url).status_code == 404


def test_the_check_reports_progress_entry_by_entry(world: Any, lib: Lib) -> None:
    from gongjiang.core.jobs import job_execute
    from gongjiang.core.models import Job
    from gongjiang.members import library_jobs

    job = library_jobs.book_check_start(
        actor=world.alice,
        organization=world.city_a,
        upload=SimpleUploadedFile("b.epub", epub_with()),
        title="进度书",
        author="乙",
    )
    assert job.status == Job.Status.QUEUED  # nothing checked in the request
    assert not Book.objects.filter(title="进度书").exists()
    job = job_execute(job)
    assert job.status == "succeeded" and job.total > 3 and job.done == job.total, job.result
    assert Book.objects.filter(code=job.result["book"], title="进度书").exists()


def test_library_phone_pages_weigh_under_100_kb_before_images(
    client: Any, world: Any, lib: Lib
) -> None:
    from .test_pages import PAGE_BUDGET, _script_bytes

    library.reading_list_create(
        actor=lib.trainer, organization=world.enterprise_a, title="必读", books=[lib.open]
    )
    client.force_login(world.worker_a)
    rl = library.reading_lists_for(actor=world.worker_a).first()
    for url in [
        reverse("members:library"),
        reverse("members:book_detail", args=[lib.open.code]),
        reverse("members:book_read", args=[lib.open.code]),
        reverse("members:book_read", args=[lib.pdf.code]),
        reverse("members:reading_list", args=[rl.code]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        weight = len(response.content) + _script_bytes(html)
        assert weight < PAGE_BUDGET, (url, weight)
        assert "<script>" not in html and " onclick=" not in html  # CSP: no inline scripts


def test_a_reader_outside_every_union_reads_but_keeps_nothing(
    client: Any, world: Any, lib: Lib
) -> None:
    client.force_login(world.root)  # a platform superuser: no membership, no unit
    r = client.get(reverse("members:book_read", args=[lib.open.code]) + "?at=1")
    assert r.status_code == 200
    assert not ReadingProgress.objects.filter(user=world.root).exists()
    r = client.post(reverse("members:book_progress", args=[lib.open.code]), {"position": 1})
    assert r.status_code == 409 and r.json()["code"] == "no_unit"
    with pytest.raises(ApplicationError):
        library.book_borrow(actor=world.root, book=lib.limited)
    assert not BookLoan.objects.exists()
