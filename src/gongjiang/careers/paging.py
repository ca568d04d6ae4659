"""Pages of the careers lists: the project's paginator (``core.views.page``: Django's
``Paginator``, 50 a page, the shared ``_pagination.html`` look) with a query parameter of its own
per list, so a desk showing several lists pages each one apart. Counts are those of the scoped
queryset given (the reader's subtree), never more."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 50


def paged(
    request: HttpRequest, queryset: Any, param: str = "page", per_page: int = PER_PAGE
) -> Page:
    """One page of ``queryset`` (ordered) chosen by ``?<param>=n`` (out of range: the last page,
    not a number: the first); ``page.param`` names the parameter for ``careers/_pager.html``."""
    page = Paginator(queryset, per_page).get_page(request.GET.get(param))
    page.param = param  # type: ignore[attr-defined]
    return page
