"""The JSON API at /api/v1/: one NinjaAPI, session and token auth, one error shape.

Every failure answers ``{"code": "...", "message": "...", "details": [{"field": "...", "error": "..."}]}``.
Each app contributes ``router`` from its ``api.py``; input schemas derive from
``gongjiang.core.schemas.StrictSchema`` (unknown fields → 422).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from .core.auth import TokenAuth
from .core.errors import ApplicationError, validation_details

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Gongjiang API",
    version="1",
    description="The JSON API of Gongjiang (工匠). Every list and object is scoped to the caller's organisations.",
    urls_namespace="api",
    auth=[SessionAuth(csrf=True), TokenAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error(request: HttpRequest, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details or []}, status=status)


def _loc(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "form", "file", "header", "cookie")]
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
            return error(request, 422, "malformed_json", "The request body is not valid JSON.", [{"field": "", "error": msg}])
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
    return error(request, 422, "validation_error", "The request is not valid.", validation_details(exc))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "validation_error",
             429: "too_many_requests"}
    return error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled API error")
    return error(request, 500, "server_error", "Something went wrong on the server; it has been logged.")


API_APPS = ["core", "workforce", "learning", "competitions", "reform"]
for _app in API_APPS:
    try:
        _module = importlib.import_module(f"gongjiang.{_app}.api")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"gongjiang.{_app}.api":
            raise
        continue
    api.add_router(f"/{_app}/" if _app != "core" else "/", _module.router)
