"""Small helpers for the core API tests."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

API = "/api/v1"


def call(client: Client, method: str, url: str, data: Any = None, **extra: Any) -> Any:
    fn = getattr(client, method.lower())
    if method.lower() == "get":
        return fn(url, data or {}, **extra)
    body = data if isinstance(data, str | bytes) else json.dumps(data if data is not None else {})
    return fn(url, data=body, content_type="application/json", **extra)


def assert_error_shape(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], list)
    for item in body["details"]:
        assert set(item) == {"field", "error"}, item
    if field is not None:
        fields = [d["field"] for d in body["details"]]
        assert any(
            f == field or f.startswith(field + ".") or f.endswith("." + field) for f in fields
        ), (
            field,
            body,
        )
    return body
