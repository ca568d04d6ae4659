"""The JSON API at /api/v1/: one NinjaAPI, session and token auth, one error shape.

Every failure answers ``{"code": "...", "message": "...", "details": [{"field": "...", "error": "..."}]}``.
Each app contributes ``router`` from its ``api.py``; input schemas derive from
``gongjiang.core.schemas.StrictSchema`` (unknown fields → 422).
"""

from __future__ import annotations

import importlib
import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from .core.auth import CookieSessionAuth, TokenAuth
from .core.errors import ApplicationError, validation_details

logger = logging.getLogger(__name__)


class MalformedBody(ValueError):
    """The request body is not JSON (raised by the parser, mapped to a 422)."""


NUL_ERROR = "The text holds a NUL (\\x00) character."


def _nul_errors(value: Any, loc: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Errors for every string (or key) holding NUL: PostgreSQL can neither store nor compare it."""
    if isinstance(value, str):
        return [{"loc": loc, "msg": NUL_ERROR, "type": "nul_character"}] if "\x00" in value else []
    if isinstance(value, dict):
        errors = []
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                errors.append({"loc": loc, "msg": NUL_ERROR, "type": "nul_character"})
            errors += _nul_errors(item, (*loc, key))
        return errors
    if isinstance(value, list):
        return [e for i, item in enumerate(value) for e in _nul_errors(item, (*loc, i))]
    return []


class JSONBodyParser(Parser):
    """JSON bodies and query strings, refusing NUL characters with a 422 naming the field."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            raise MalformedBody(str(exc)) from exc
        errors = _nul_errors(data, ("body", "payload"))
        if errors:  # ninja wraps this in an HttpError(400); on_http_error unwraps it
            raise NinjaValidationError(errors)
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        result = super().parse_querydict(data, list_fields, request)
        errors = _nul_errors(result, ("query",))
        if errors:
            raise NinjaValidationError(errors)
        return result


# Answers any operation can give through the one error mapping below (ApplicationError carries its
# own status: 400 by default, 409 conflicts, 423 locked, 429 too many); every one has the error shape.
ERROR_STATUSES = {
    "400": "A domain rule is broken (`code` says which).",
    "401": "Not authenticated.",
    "403": "Not allowed here.",
    "404": "Missing, or outside the caller's organisations (the same answer).",
    "405": "Method not allowed.",
    "409": "A conflict with the current state (someone changed it first, a duplicate…).",
    "413": "The request is too large.",
    "422": "The input is not valid (`details` name each field).",
    "423": "Locked.",
    "429": "Too many requests.",
}
# operations whose ApplicationError may carry a 2xx status of its own (the neutral reply of a
# registration handed on as a transfer request: workforce/transfer_requests.py)
EXTRA_STATUSES = {
    ("post", "/api/v1/workforce/workers"): {"202": "Handed on for confirmation (neutral reply)."},
    ("patch", "/api/v1/workforce/workers/{code}"): {
        "202": "Handed on for confirmation (neutral reply)."
    },
}


class GongjiangAPI(NinjaAPI):
    """NinjaAPI whose published spec documents every status an operation can answer: its own
    responses plus the error answers of the shared error mapping (``ERROR_STATUSES``)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        from .core.schemas import Error

        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["Error"] = error_schema
        ref = {"$ref": "#/components/schemas/Error"}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                extra = {**ERROR_STATUSES, **EXTRA_STATUSES.get((method, path), {})}
                for status, description in extra.items():
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": ref}},
                        },
                    )
        return schema


api = GongjiangAPI(
    title="Gongjiang API",
    version="1",
    description="The JSON API of Gongjiang (工匠). Every list and object is scoped to the caller's organisations.",
    urls_namespace="api",
    auth=[TokenAuth(), CookieSessionAuth(csrf=True)],
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=JSONBodyParser(),
)


def error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "details": details or []}, status=status
    )


_SOURCES = ("body", "query", "path", "form", "file", "header", "cookie")


def _loc(loc: Any) -> str:
    """The field a pydantic error is about: ("body", "payload", "name") → "name", ("query", "page")
    → "page". Only the leading source (and, for a body, the schema's parameter name) is dropped, so a
    field that happens to be called "path" or "query" keeps its name."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts and parts[0] in _SOURCES:
        parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(NinjaValidationError)
def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = []
    for err in exc.errors:
        field = _loc(err.get("loc", []))
        msg = err.get("msg", "invalid")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field"
        if err.get("type") == "json_invalid" or "JSON" in msg and not field:
            return error(
                request,
                422,
                "malformed_json",
                "The request body is not valid JSON.",
                [{"field": "", "error": msg}],
            )
        details.append({"field": field, "error": msg})
    return error(request, 422, "validation_error", "The request is not valid.", details)


@api.exception_handler(AuthenticationError)
def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "not_authenticated", "Log in or send a valid API token.")


@api.exception_handler(Http404)
def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "Not found.")


@api.exception_handler(PermissionDenied)
def on_403(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "permission_denied", "You may not do this here.")


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return error(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(DjangoValidationError)
def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return error(
        request, 422, "validation_error", "The request is not valid.", validation_details(exc)
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, NinjaValidationError):
        return on_validation(request, exc.__cause__)
    if isinstance(exc.__cause__, MalformedBody):
        return error(
            request,
            422,
            "malformed_json",
            "The request body is not valid JSON.",
            [{"field": "", "error": str(exc.__cause__)}],
        )
    codes = {
        400: "bad_request",
        401: "not_authenticated",
        403: "permission_denied",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        422: "validation_error",
        429: "too_many_requests",
    }
    return error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, DataError) and "NUL" in str(exc):  # e.g. a NUL in a path parameter
        return error(
            request,
            422,
            "validation_error",
            "The request is not valid.",
            [{"field": "", "error": NUL_ERROR}],
        )
    if isinstance(exc, DataError):  # a value the database cannot hold (a time-zone offset of 22
        # hours, a number past its column): the input's fault, so a 422, never a 500
        logger.warning("input out of the database's range: %s", exc)
        return error(
            request,
            422,
            "validation_error",
            "A value is outside the range that can be stored.",
            [{"field": "", "error": "out of range"}],
        )
    logger.exception("unhandled API error")
    return error(
        request, 500, "server_error", "Something went wrong on the server; it has been logged."
    )


def app_router(app: str) -> Any:
    """An app's API router: ``router`` in its ``api.py`` or, for an app split into sub-packages, in
    its ``urls.py``, which mounts every sub-package's router next to its pages (docs/architecture.md)."""
    for name in (f"gongjiang.{app}.api", f"gongjiang.{app}.urls"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        if hasattr(module, "router"):
            return module.router
    return None


API_APPS = ["core", *settings.GONGJIANG_APPS]
for _app in API_APPS:
    _router = app_router(_app)
    if _router is not None:
        api.add_router(f"/{_app}/" if _app != "core" else "/", _router)
