"""The published OpenAPI spec: every schema has a name of its own.

django-ninja files every pydantic model under its class name in ``components/schemas`` and
silently keeps the last one when two apps use the same name (``PlanIn`` of certification and of
reform), so an operation is then documented with another app's fields. This walks every operation of
every router, collects the schema classes it uses (inputs, outputs, and the models nested in them)
and fails on two classes with one name.
"""

from __future__ import annotations

import re
import types
import typing
from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from gongjiang.api import api


def _models_in(annotation: Any, seen: set[type]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, seen)
        return
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            _models_in(arg, seen)


def schema_classes() -> dict[str, set[str]]:
    """Schema name → the classes (module.qualname) that the operations publish under it."""
    seen: set[type] = set()
    for _prefix, router in api._routers:
        for path_operation in router.path_operations.values():
            for operation in path_operation.operations:
                for model in operation.models:
                    _models_in(model, seen)
                for model in operation.response_models.values():
                    _models_in(model, seen)
    names: dict[str, set[str]] = defaultdict(set)
    for cls in seen:
        if cls.__module__ == "abc":  # ninja's per-operation wrappers (QueryParams, BodyParams, …)
            continue
        # a generic page (``Page[CareersExpertCallOut]``) is published under pydantic's normalised
        # name (``Page_CareersExpertCallOut_``)
        name = re.sub(r"[^a-zA-Z0-9.\-_]", "_", cls.__name__)
        names[name].add(f"{cls.__module__}.{cls.__qualname__}")
    return names


def test_every_schema_name_is_unique() -> None:
    names = schema_classes()
    assert len(names) > 50, "the walk found the operations' schemas"
    duplicates = {name: sorted(where) for name, where in names.items() if len(where) > 1}
    assert not duplicates, f"schema names used by more than one class: {duplicates}"


def test_operations_of_the_finding_document_their_own_fields() -> None:
    spec = api.get_openapi_schema()
    assert set(spec["components"]["schemas"]) <= set(schema_classes()) | {"Error", "ErrorDetail"}
    # the two operations of the finding document their own fields
    cert_body = spec["paths"]["/api/v1/certification/plans"]["post"]["requestBody"]
    ref = cert_body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert ref.startswith("Certification"), ref
    assert "occupation" in spec["components"]["schemas"][ref]["properties"]
    marking = spec["paths"]["/api/v1/learning/marking/items/{code}"]["post"]["requestBody"]
    ref = marking["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert ref == "ExamMarkIn", ref
    assert spec["components"]["schemas"]["CompetitionMarkIn"] != spec["components"]["schemas"][ref]
