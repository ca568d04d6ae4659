"""The marking scheme as a spreadsheet: a template to download (the trade's current scheme, or a
worked example) and the upload that replaces the scheme — one row per aspect, read through the
platform's spreadsheet reader, every error naming its row, column and field, nothing saved unless
the whole file is right (then :func:`gongjiang.competitions.marking.scheme_load` checks the
100-mark total and the aspect rules, in the same transaction)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import xlsx_bytes
from gongjiang.core.spreadsheets import cell_text, find_header, is_blank, read_rows

from .marking import scheme_load
from .models import Aspect, Criterion, Trade

# field → (header written in the template, other accepted headers)
COLUMNS: list[tuple[str, Any, tuple[str, ...]]] = [
    ("letter", gettext_lazy("criterion"), ("模块", "criterion", "letter")),
    ("criterion", gettext_lazy("criterion name"), ("模块名称", "criterion name")),
    ("sub_criterion", gettext_lazy("sub-criterion"), ("分项", "sub-criterion")),
    ("description", gettext_lazy("aspect"), ("评分项", "aspect", "description")),
    ("kind", gettext_lazy("kind"), ("类型", "kind")),
    ("max_mark", gettext_lazy("max mark"), ("分值", "max mark")),
    ("target", gettext_lazy("target"), ("目标值", "target")),
    ("tolerance", gettext_lazy("tolerance"), ("公差", "tolerance")),
    ("rule", gettext_lazy("measurement rule"), ("评分规则", "measurement rule", "rule")),
    ("step", gettext_lazy("deduction step"), ("扣分步长", "deduction step", "step")),
    ("deduction", gettext_lazy("deduction per step"), ("每步扣分", "deduction per step")),
    ("descriptors", gettext_lazy("descriptors 0–3"), ("评价标准", "descriptors 0–3")),
]
REQUIRED = ("letter", "criterion", "sub_criterion", "description", "kind", "max_mark")
KINDS = {"测量": "measurement", "measurement": "measurement", "评价": "judgement"}
KINDS.update({"judgement": "judgement", "主观评价": "judgement", "客观测量": "measurement"})
RULES = {"全对或零": "all_or_nothing", "all_or_nothing": "all_or_nothing", "": ""}
RULES.update(
    {"超差扣分": "deduction", "deduction": "deduction", "all or nothing": "all_or_nothing"}
)
KIND_TEXT = {"measurement": "测量", "judgement": "评价"}
RULE_TEXT = {"all_or_nothing": "全对或零", "deduction": "超差扣分", "": ""}

EXAMPLE = [
    [
        "A",
        "工件尺寸",
        "关键尺寸",
        "长度 100±0.05",
        "测量",
        30,
        100,
        0.05,
        "全对或零",
        None,
        None,
        "",
    ],
    ["A", "工件尺寸", "关键尺寸", "孔径 25±0.02", "测量", 30, 25, 0.02, "超差扣分", 0.01, 5, ""],
    [
        "B",
        "焊缝外观",
        "外观质量",
        "焊缝成形",
        "评价",
        30,
        None,
        None,
        "",
        None,
        None,
        "差;合格;良好;优秀",
    ],
    ["B", "焊缝外观", "外观质量", "安全文明生产", "评价", 10, None, None, "", None, None, ""],
]


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def scheme_template(trade: Trade) -> bytes:
    """The template: the trade's current scheme, or the worked example when it has none."""
    header = [str(title) for _f, title, _a in COLUMNS]
    aspects = list(
        Aspect.objects.filter(criterion__trade=trade)
        .select_related("criterion", "sub_criterion")
        .order_by("criterion__letter", "sub_criterion__number", "number")
    )
    rows = [
        [
            a.criterion.letter,
            a.criterion.name,
            a.sub_criterion.name,
            a.description,
            KIND_TEXT[a.kind],
            float(a.max_mark),
            _num(a.target),
            _num(a.tolerance) if a.kind == Aspect.Kind.MEASUREMENT else None,
            RULE_TEXT.get(a.rule, a.rule),
            _num(a.step),
            _num(a.deduction),
            ";".join(a.descriptors or []),
        ]
        for a in aspects
    ] or EXAMPLE
    notes = [
        [_("One row per aspect; aspects add up to exactly 100 marks.")],
        [_("kind: 测量 (measurement) or 评价 (judgement, scored 0–3 by at least three judges).")],
        [
            _(
                "measurement rule: 全对或零 (full marks within target ± tolerance, else 0) or 超差扣分."
            )
        ],
        [_("超差扣分: the deduction is taken off per started step beyond the tolerance.")],
        [_("descriptors: what 0, 1, 2 and 3 mean, separated by semicolons (optional).")],
    ]
    return xlsx_bytes([(_("Marking scheme"), header, rows), (_("Notes"), [_("notes")], notes)])


def _decimal(text: str) -> Decimal | None:
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError from exc
    if not value.is_finite():
        raise ValueError
    return value


def scheme_from_rows(rows: Any) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Parse the sheet into ``scheme_load``'s structure. Answers the structure and, per aspect
    label (A1.2), the row it came from. Raises ApplicationError naming every bad cell."""
    aliases = {
        field: (str(title), *others) for field, title, others in COLUMNS
    }  # the header as written in either language
    header_row, mapping, headers, body = find_header(rows, aliases, REQUIRED)
    errors: list[dict[str, str]] = []

    def bad(row: int, field: str, message: str) -> None:
        col = mapping.get(field)
        column = headers[col] if col is not None else str(aliases[field][0])
        errors.append(
            {
                "field": f"row {row}, {column}",
                "error": _("Row %(row)d, column “%(column)s”: %(message)s")
                % {"row": row, "column": column, "message": message},
            }
        )

    criteria: dict[str, dict[str, Any]] = {}
    origin: dict[str, int] = {}
    for number, cells in body:
        if is_blank(cells):
            continue

        def cell(field: str, cells: list[Any] = cells) -> str:
            col = mapping.get(field)
            return cell_text(cells[col]) if col is not None and col < len(cells) else ""

        values = {field: cell(field) for field, _t, _a in COLUMNS}
        for field in REQUIRED:
            if not values[field]:
                bad(number, field, _("required"))
        letter = values["letter"].upper()
        if letter and not (len(letter) <= 2 and letter.isalpha()):
            bad(number, "letter", _("a letter such as A or B"))
        kind = KINDS.get(values["kind"].lower() if values["kind"].isascii() else values["kind"])
        if values["kind"] and kind is None:
            bad(number, "kind", _("测量 (measurement) or 评价 (judgement)"))
        numbers: dict[str, Decimal | None] = {}
        for field in ("max_mark", "target", "tolerance", "step", "deduction"):
            try:
                numbers[field] = _decimal(values[field])
            except ValueError:
                bad(number, field, _("not a number"))
                numbers[field] = None
        rule = RULES.get(values["rule"].lower() if values["rule"].isascii() else values["rule"])
        if kind == "measurement":
            if numbers["target"] is None and values["target"] == "":
                bad(number, "target", _("a measurement needs its target value"))
            if rule in (None, ""):
                bad(number, "rule", _("全对或零 or 超差扣分"))
        aspect: dict[str, Any] = {
            "description": values["description"],
            "kind": kind or "",
            "max_mark": numbers["max_mark"],
        }
        if kind == "measurement":
            aspect.update(
                rule=rule or "",
                target=numbers["target"],
                tolerance=numbers["tolerance"] or Decimal(0),
                step=numbers["step"],
                deduction=numbers["deduction"],
            )
        elif values["descriptors"]:
            aspect["descriptors"] = [
                d.strip() for d in values["descriptors"].replace("；", ";").split(";")
            ]
        if not letter:
            continue
        crit = criteria.setdefault(
            letter, {"letter": letter, "name": values["criterion"], "sub_criteria": []}
        )
        subs = crit["sub_criteria"]
        sub = next((s for s in subs if s["name"] == values["sub_criterion"]), None)
        if sub is None:
            sub = {"name": values["sub_criterion"], "aspects": []}
            subs.append(sub)
        sub["aspects"].append(aspect)
        label = f"{letter}{subs.index(sub) + 1}.{len(sub['aspects'])}"
        origin[label] = number
    if not criteria and not errors:
        errors.append({"field": "", "error": _("The sheet has no aspects below its header.")})
    if errors:
        raise ApplicationError(
            _("The marking scheme file has %(n)d errors; nothing was changed.")
            % {"n": len(errors)},
            code="scheme_file_invalid",
            details=errors[:50],
        )
    return list(criteria.values()), origin


def scheme_upload(*, actor: Any, trade: Trade, upload: IO[bytes], filename: str) -> list[Criterion]:
    """Replace the trade's scheme from an uploaded template (all or nothing)."""
    scheme, origin = scheme_from_rows(read_rows(upload, filename))
    try:
        return scheme_load(actor=actor, trade=trade, scheme=scheme)
    except ValidationError as exc:  # an aspect's own rule: name its row
        details = []
        for label, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
            row = origin.get(label)
            for message in messages:
                text = (
                    _("Row %(row)d (%(label)s): %(message)s")
                    % {"row": row, "label": label, "message": message}
                    if row
                    else message
                )
                details.append({"field": f"row {row}" if row else label, "error": text})
        raise ApplicationError(
            _("The marking scheme file has %(n)d errors; nothing was changed.")
            % {"n": len(details)},
            code="scheme_file_invalid",
            details=details,
        ) from exc
