"""Parallel borrowing of a limited book in real parallel transactions (PostgreSQL only: SQLite
serialises writers): never more loans than copies; everyone else waits in one line, and returns
made at once hand the copies to the first in line."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from gongjiang.members import library
from gongjiang.members.models import Book, BookHold, BookLoan

from ..factories import UserFactory, member
from .library_helpers import add_book

ALL_APPS = list(settings.INSTALLED_APPS)
pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=ALL_APPS),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs parallel writers (PostgreSQL); SQLite serialises every write",
    ),
]


def _race(book: Any, users: list[Any], action: str) -> list[str]:
    barrier = threading.Barrier(len(users))
    outcome: list[str] = []

    def run(user: Any) -> None:
        try:
            barrier.wait(timeout=20)
            fresh = Book.objects.get(pk=book.pk)
            if action == "borrow":
                result = library.book_borrow(actor=user, book=fresh)
                outcome.append("loan" if isinstance(result, BookLoan) else "waiting")
            else:
                library.book_return(actor=user, book=fresh)
                outcome.append("returned")
        except Exception as exc:  # noqa: BLE001 (reported in the assertion)
            outcome.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcome


def test_parallel_borrowing_never_lends_more_than_the_copies(
    world: Any, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    book = add_book(world.alice, world.province_a, licence="limited", copies=3)
    users = []
    for i in range(12):
        u = UserFactory(username=f"reader{i}")
        member(u, world.enterprise_a, "worker")
        users.append(u)
    outcome = _race(book, users, "borrow")
    assert sorted(outcome) == ["loan"] * 3 + ["waiting"] * 9, outcome
    assert BookLoan.objects.filter(book=book, returned_at__isnull=True).count() == 3
    assert BookHold.objects.filter(book=book).count() == 9

    holders = [loan.user for loan in BookLoan.objects.filter(book=book).select_related("user")]
    first_waiting = list(
        BookHold.objects.filter(book=book)
        .order_by("created_at", "id")
        .values_list("user_id", flat=True)[:3]
    )
    outcome = _race(book, holders, "return")
    assert outcome == ["returned"] * 3, outcome
    open_loans = set(
        BookLoan.objects.filter(book=book, returned_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    assert open_loans == set(first_waiting)
    assert BookHold.objects.filter(book=book).count() == 6
