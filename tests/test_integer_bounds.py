"""Integer inputs are bounded: every integer in the published spec (query, path and body) has a
minimum and a maximum, and every paged list — API and pages — answers absurd numbers with a 4xx or a
page, never a 500 (``?page=10**20`` used to overflow the database's OFFSET)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from gongjiang.api import api

EXTREMES = ["0", "-1", str(10**20), "abc", "1e400", "99999999999"]


def _integer_schemas(schema: Any, components: dict[str, Any], where: str, seen: set[str]) -> Any:
    """(where, schema) of every integer in a schema, following $refs once."""
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen.add(name)
        yield from _integer_schemas(components[name], components, f"{name}", seen)
        return
    if schema.get("type") == "integer":
        yield where, schema
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _integer_schemas(sub, components, f"{where}", seen)
    for name, sub in schema.get("properties", {}).items():
        yield from _integer_schemas(sub, components, f"{where}.{name}", seen)
    if "items" in schema:
        yield from _integer_schemas(schema["items"], components, f"{where}[]", seen)


def test_every_integer_input_in_the_spec_is_bounded() -> None:
    spec = api.get_openapi_schema()
    components = spec["components"]["schemas"]
    unbounded = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            found = []
            for parameter in operation.get("parameters", []):
                found += _integer_schemas(
                    parameter["schema"], components, f"{parameter['in']}.{parameter['name']}", set()
                )
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                found += _integer_schemas(media["schema"], components, "body", set())
            for where, schema in found:
                if "minimum" not in schema and "exclusiveMinimum" not in schema:
                    unbounded.append(f"{method.upper()} {path} {where}: no minimum")
                if "maximum" not in schema and "exclusiveMaximum" not in schema:
                    unbounded.append(f"{method.upper()} {path} {where}: no maximum")
    assert not unbounded, "\n".join(sorted(set(unbounded)))


def _integer_query_operations() -> list[tuple[str, list[str]]]:
    spec = api.get_openapi_schema()
    components = spec["components"]["schemas"]
    out = []
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        names = [
            p["name"]
            for p in get.get("parameters", [])
            if p["in"] == "query" and list(_integer_schemas(p["schema"], components, "", set()))
        ]
        if names:
            out.append((path, names))
    return out


@pytest.mark.django_db
def test_every_list_answers_extreme_integers_without_a_server_error(world: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.root)
    operations = _integer_query_operations()
    assert len(operations) >= 8
    failures = []
    for path, names in operations:
        for name in names:
            for value in EXTREMES:
                response = client.get(path, {name: value})
                if response.status_code >= 500 or response.status_code not in (200, 400, 404, 422):
                    failures.append(f"GET {path}?{name}={value}: {response.status_code}")
    assert not failures, "\n".join(failures)


def _page_urls() -> list[str]:
    """Every page without URL arguments (a GET renders it)."""
    urls: list[str] = []

    def walk(patterns: Any, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                route = str(p.pattern)
                if route.startswith("api/") or "<" in route or route.startswith("^"):
                    continue
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                route = str(p.pattern)
                if "<" in route or route.startswith("^") or "logout" in route:
                    continue
                urls.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return urls


@pytest.mark.django_db
def test_every_page_answers_extreme_page_and_year_without_a_server_error(world: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.root)
    urls = _page_urls()
    assert len(urls) > 20
    failures = []
    for url in urls:
        for value in EXTREMES:
            response = client.get(url, {"page": value, "year": value, "page_size": value})
            if response.status_code >= 500:
                failures.append(f"GET {url}?page={value}: {response.status_code}")
    assert not failures, "\n".join(failures)
