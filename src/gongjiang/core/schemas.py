"""Shared API schema pieces."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema
from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class StrictSchema(Schema):
    """Input schema: unknown fields are an error (422), strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorDetail(Schema):
    field: str
    error: str


class Error(Schema):
    code: str
    message: str
    details: list[ErrorDetail]


class Page(BaseModel, Generic[T]):
    count: int
    page: int
    page_size: int
    items: list[T]


def paginate(queryset, page: int, page_size: int, *, max_page_size: int = 200):  # type: ignore[no-untyped-def]
    """Slice a queryset for one page; returns (count, items)."""
    page = max(1, page)
    page_size = max(1, min(page_size, max_page_size))
    count = queryset.count()
    start = (page - 1) * page_size
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "items": list(queryset[start : start + page_size]),
    }
