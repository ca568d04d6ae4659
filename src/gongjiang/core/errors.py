"""One error type for broken domain rules, mapped once to the API error shape and to page messages."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A domain rule was broken. ``code`` is stable and machine-readable; ``message`` is for people.

    ``details`` is a list of ``{"field": ..., "error": ...}`` items naming what is wrong and where.
    """

    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        details: list[dict[str, Any]] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.details = details or []
        if status is not None:
            self.status = status


def field_error(
    field: str, message: str, code: str = "invalid", *, status: int | None = None
) -> ApplicationError:
    """An :class:`ApplicationError` about one field: ``details`` names it with the same message."""
    return ApplicationError(
        message, code=code, status=status, details=[{"field": field, "error": message}]
    )


class ConflictError(ApplicationError):
    status = 409

    def __init__(self, message: str, *, code: str = "conflict", **kwargs: Any) -> None:
        super().__init__(message, code=code, **kwargs)


def validation_details(exc: Any) -> list[dict[str, str]]:
    """Turn a Django ValidationError into the API's details list."""
    details: list[dict[str, str]] = []
    if hasattr(exc, "message_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                details.append({"field": "" if field == "__all__" else field, "error": str(error)})
    else:
        for error in getattr(exc, "messages", [str(exc)]):
            details.append({"field": "", "error": str(error)})
    return details
