"""One page of an API list that answers a plain JSON list (its shape kept for its callers):
``page`` (from 1) chooses the slice and the header ``X-Total-Count`` tells how many there are in
all, so no list is cut silently."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

TOTAL_HEADER = "X-Total-Count"


def page_slice(response: HttpResponse, queryset: Any, page: int, per_page: int) -> Any:
    """The ``page``-th slice of ``per_page`` rows of an ordered queryset; the count in a header."""
    response[TOTAL_HEADER] = str(queryset.count())
    start = (page - 1) * per_page
    return queryset[start : start + per_page]
