"""The reusable access test: every endpoint and page answers

* anonymous → 401 (API) or a redirect to the login page (pages),
* a user whose roles do not cover the object → 404 (the same as a missing object),
* a user whose roles cover it → the expected success status.

Use it for every new endpoint and page::

    check_access(client, url=..., in_scope=world.alice, out_of_scope=world.bob)
    check_access(client, url=..., method="post", data={...}, api=True, ok=201, ...)
"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client


def _call(client: Client, method: str, url: str, data: Any, api: bool) -> Any:
    fn = getattr(client, method.lower())
    if method.lower() == "get":
        return fn(url, data or {})
    if api:
        return fn(
            url, data=json.dumps(data if data is not None else {}), content_type="application/json"
        )
    return fn(url, data or {})


def check_access(
    client: Client,
    *,
    url: str,
    in_scope: Any,
    out_of_scope: Any | None,
    method: str = "get",
    data: Any = None,
    api: bool | None = None,
    ok: int | tuple[int, ...] = 200,
    in_scope_last: bool = True,
) -> Any:
    """Assert the three answers; returns the in-scope response (call last, as it may change state)."""
    api = url.startswith("/api/") if api is None else api
    client.logout()
    response = _call(client, method, url, data, api)
    if api:
        assert response.status_code == 401, f"anonymous {method} {url}: {response.status_code}"
        assert response.json()["code"] == "not_authenticated"
    else:
        assert response.status_code in (302, 401), (
            f"anonymous {method} {url}: {response.status_code}"
        )
        if response.status_code == 302:
            assert "/login/" in response["Location"]
    if out_of_scope is not None:
        client.force_login(out_of_scope)
        response = _call(client, method, url, data, api)
        assert response.status_code == 404, f"out-of-scope {method} {url}: {response.status_code}"
        client.logout()
    client.force_login(in_scope)
    response = _call(client, method, url, data, api)
    expected = ok if isinstance(ok, tuple) else (ok,)
    assert response.status_code in expected, (
        f"in-scope {method} {url}: {response.status_code} {getattr(response, 'content', b'')[:500]!r}"
    )
    return response
