"""Importing an organisation list from Excel/CSV: validated whole, imported all-or-nothing.

Columns (headers exact after trimming): 组织名称/名称 (name, required) · 组织类型/类型 (kind, required:
the Chinese kind name or its code) · 上级组织 (parent: code, or the exact name of an organisation in
scope or of an earlier row) · 行政区划代码 (region, required) · 行业代码 (industry) · 统一社会信用代码 ·
简称 · 地址 · 联系人.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import access
from .errors import ApplicationError
from .jobs import Progress, job_handler
from .models import Industry, Job, Organization, Region
from .services import organization_create
from .spreadsheets import (
    RowError,
    RowErrors,
    check_summary,
    find_header,
    is_blank,
    read_rows,
    row_error,
    row_values,
)
from .validators import normalize_uscc

ALIASES = {
    "name": ("组织名称", "名称", "单位名称"),
    "kind": ("组织类型", "类型"),
    "parent": ("上级组织", "上级组织编码", "上级单位"),
    "region": ("行政区划代码", "行政区划", "地区代码"),
    "industry": ("行业代码", "所属行业代码"),
    "uscc": ("统一社会信用代码", "信用代码"),
    "short_name": ("简称",),
    "address": ("地址",),
    "contact": ("联系人",),
}


def _kind(text: str) -> str | None:
    for value, label in Organization.Kind.choices:
        if text in (value, str(label)):
            return value
    zh = {
        "全国总工会": "national",
        "省总工会": "provincial",
        "市总工会": "city",
        "县总工会": "county",
        "区总工会": "county",
        "产业工会": "industry",
        "行业工会": "industry",
        "企业工会": "enterprise",
        "班组": "team",
        "车间": "team",
        "部门": "department",
        "政府部门": "department",
    }
    return zh.get(text)


def organization_import(
    *,
    actor: Any,
    source: Any,
    filename: str,
    default_parent: Organization | None,
    dry_run: bool,
    progress: Progress | None = None,
) -> dict[str, Any]:
    rows = read_rows(source, filename)
    _header_row, mapping, headers, body = find_header(rows, ALIASES, ["name", "kind", "region"])
    header_of = {field: headers[i] for field, i in mapping.items()}
    errors: list[RowError] = []
    planned: list[dict[str, Any]] = []
    names_in_file: dict[str, int] = {}
    scope = Organization.objects.visible_to(actor, "core.change_organization")
    regions = set(Region.objects.values_list("code", flat=True))
    industries = set(Industry.objects.values_list("code", flat=True))
    count = 0
    for number, row in body:
        if is_blank(row):
            continue
        count += 1
        values = row_values(row, mapping)
        row_errors = RowErrors(number, values, header_of)
        bad = row_errors.bad

        if not values.get("name"):
            bad("name", _("The name is required."))
        kind = _kind(values.get("kind", ""))
        if kind is None:
            bad("kind", _("Unknown organisation kind."))
        if values.get("region") not in regions:
            bad("region", _("Unknown region code."))
        if values.get("industry") and values["industry"] not in industries:
            bad("industry", _("Unknown industry code."))
        if values.get("uscc"):
            try:
                values["uscc"] = normalize_uscc(values["uscc"])
            except ValidationError as exc:
                bad("uscc", exc.messages[0])
        parent_ref = values.get("parent", "")
        parent_row = None
        parent_obj = None
        if parent_ref:
            if parent_ref in names_in_file:
                parent_row = names_in_file[parent_ref]
            else:
                parent_obj = scope.filter(code=parent_ref).first()
                if parent_obj is None:
                    # names are not unique (every enterprise may have a 焊接班组): never guess
                    named = list(scope.filter(name=parent_ref, is_active=True)[:2])
                    if len(named) == 1:
                        parent_obj = named[0]
                    elif named:
                        bad(
                            "parent",
                            _(
                                "Several organisations in your scope have this name; give the code instead."
                            ),
                        )
                    else:
                        bad(
                            "parent",
                            _(
                                "No organisation with this code or name is in your scope (or earlier in the file)."
                            ),
                        )
        elif default_parent is not None:
            parent_obj = default_parent
        else:
            bad("parent", _("The parent organisation is required."))
        if values.get("name") in names_in_file:
            bad(
                "name",
                _("The same name appears in row %(row)d.") % {"row": names_in_file[values["name"]]},
            )
        if not row_errors:
            names_in_file[values["name"]] = number
            planned.append(
                {
                    "row": number,
                    "values": values,
                    "kind": kind,
                    "parent_row": parent_row,
                    "parent": parent_obj,
                }
            )
        errors.extend(row_errors)
        if progress:
            progress(count, None)
    result = check_summary(count, len(planned), errors)
    if errors:
        return result
    # Create every row inside one transaction, collecting the rule errors only creation finds (kind
    # under parent, an enterprise's USCC and industry, a repeated USCC); any error, or a dry run,
    # rolls everything back.
    by_row: dict[int, Organization] = {}
    created = 0
    with transaction.atomic():
        for item in planned:
            values = item["values"]
            if item["parent_row"] and item["parent_row"] not in by_row:
                errors.append(
                    row_error(
                        item["row"],
                        header_of,
                        values,
                        "parent",
                        _("The parent row %(row)d has errors.") % {"row": item["parent_row"]},
                    )
                )
                continue
            parent = by_row[item["parent_row"]] if item["parent_row"] else item["parent"]
            try:
                org = organization_create(
                    actor=actor,
                    parent=parent,
                    name=values["name"],
                    kind=item["kind"],
                    region=values["region"],
                    industry=values.get("industry") or None,
                    uscc=values.get("uscc", ""),
                    short_name=values.get("short_name", ""),
                    address=values.get("address", ""),
                    contact=values.get("contact", ""),
                )
            except ValidationError as exc:
                errors.extend(
                    row_error(item["row"], header_of, values, f, m)
                    for f, ms in exc.message_dict.items()
                    for m in ms
                )
                continue
            except (ApplicationError, PermissionDenied) as exc:
                message = (
                    exc.message
                    if isinstance(exc, ApplicationError)
                    else _("You may not add organisations here.")
                )
                errors.append(row_error(item["row"], header_of, values, "parent", message))
                continue
            by_row[item["row"]] = org
            created += 1
        if errors or dry_run:
            transaction.set_rollback(True)
            created = 0
    result["errors"] = [asdict(e) for e in errors]
    result["valid"] = len(planned) - len({e.row for e in errors})
    result["rejected"] = count - result["valid"]
    result["created"] = created
    return result


@job_handler("core.organization_import")
def run_organization_import(job: Job, progress: Progress) -> dict[str, Any]:
    actor = get_user_model().objects.get(pk=job.created_by_id)
    access.forget(actor)
    with job.input_file.open("rb") as fh:
        return organization_import(
            actor=actor,
            source=fh,
            filename=job.input_file.name,
            default_parent=job.organization,
            dry_run=bool(job.params.get("dry_run")),
            progress=progress,
        )
