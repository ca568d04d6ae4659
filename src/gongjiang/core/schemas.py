"""Shared API schema pieces."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from ninja import Query, Schema
from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


# Bounds of the integers every API takes: a number beyond what the database can hold (an OFFSET of
# 10**20) must be a 422 naming the parameter, never a 500.
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200
YEAR_MIN, YEAR_MAX = 1949, 2100
MAX_INT32 = 2**31 - 1

PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE, description="page number, from 1")]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE, description="items per page")]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]


def page_query(default: int = 1) -> Any:
    """``page`` as a bounded query parameter of an operation."""
    return Query(default, ge=1, le=MAX_PAGE, description="page number, from 1")


def page_size_query(default: int = 50) -> Any:
    """``page_size`` as a bounded query parameter of an operation."""
    return Query(default, ge=1, le=MAX_PAGE_SIZE, description="items per page")


def year_query(default: int | None = None, **kwargs: Any) -> Any:
    """``year`` as a bounded query parameter of an operation (``...`` for a required one)."""
    return Query(default, ge=YEAR_MIN, le=YEAR_MAX, **kwargs)


def resolve_from(path: str) -> Any:
    """A django-ninja resolver answering ``obj.<path>`` (dotted); None along the way answers None.

    ``resolve_organization = resolve_from("organization.code")`` stands for the four-line
    ``@staticmethod def resolve_organization(obj): return obj.organization.code`` (and
    ``resolve_from("parent.code")`` for ``obj.parent.code if obj.parent_id else None``).
    """
    names = path.split(".")

    def resolve(obj: Any) -> Any:
        for name in names:
            if obj is None:
                return None
            obj = getattr(obj, name)
        return obj

    resolve.__name__ = "resolve_" + names[-1]
    return staticmethod(resolve)


class CountersFreshnessOut(Schema):
    """Beside figures read from rollups kept by a fold (core/counters.py): the answers not yet in
    them and when the last fold ran (the time of reading when none ran yet)."""

    pending: int
    as_of: dt.datetime


class JobProgressOut(Schema):
    """A background job (``core.jobs.Job``) as an operation answers it: the base of each app's
    job answer, which adds its own fields after these."""

    code: str
    status: str
    done: int
    total: int
    percent: int


class DryRunJobOut(JobProgressOut):
    """An import job: its progress and whether it was a dry run (a check that writes nothing)."""

    dry_run: bool

    @staticmethod
    def resolve_dry_run(obj: Any) -> bool:
        return bool(obj.params.get("dry_run", True))


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
    """Slice a queryset (or a list computed whole, such as a report) for one page; returns
    (count, items)."""
    page = max(1, min(page, MAX_PAGE))
    page_size = max(1, min(page_size, max_page_size))
    count = len(queryset) if isinstance(queryset, list) else queryset.count()
    start = (page - 1) * page_size
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "items": list(queryset[start : start + page_size]),
    }
