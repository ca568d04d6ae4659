"""Skill-linked pay: services and reads.

* Bands are equal across equivalent levels (as 中国中车 does): saving the band of a level saves the
  same band for the levels that stand with it in the enterprise's equivalence table in force
  (careers table, 96号文 by default) — a 技师, an 中级 title and a 正科级 grade share one band.
* The entitlement report gives each worker the band of the highest of their channels per the
  equivalence table (skill level, professional title, management grade held — and says which
  channel placed them), the skill allowance (and
  the chief-technician allowance for a 首席技师), and the gap where the band payroll records for
  them differs (entitled minimum − recorded minimum).
* Individual pay is optional, encrypted with core.crypto, written and read only by the ``hr`` role
  of the enterprise subtree (each read audited).
* The analytics give the median pay per skill level for groups of at least ``MIN_GROUP`` workers;
  a smaller group is left out everywhere (page, API, export), not even counted.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access, crypto
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.errors import ApplicationError, field_error
from gongjiang.core.models import Organization
from gongjiang.core.spreadsheets import RowErrors, find_header, is_blank, read_rows, row_values
from gongjiang.workforce.models import Worker

from .models import ProfessionalTitle
from .models_grades import ManagementGrade
from .models_pay import CHANNELS, CHIEF, PayBand, SkillAllowance, WorkerPay
from .policy import SKILL_RANK, TITLE_RANK
from .registry import table_in_force

MANAGE = "careers.manage"
ANALYTICS = "careers.pay_analytics"
INDIVIDUAL = "careers.pay_individual"
MIN_GROUP = 10
CHANNEL_CODES = [c for c, _l in CHANNELS]
FEN = Decimal("0.01")
_AMOUNT = re.compile(r"\d{1,10}(\.\d{1,2})?")


def money(value: Any, field: str) -> Decimal:
    """A non-negative amount in yuan, exact to the fen: digits with at most two decimals
    (floats, exponents, signs and more than 10 integer digits refused)."""
    text = value if isinstance(value, str | int | Decimal) and not isinstance(value, bool) else None
    text = str(text).strip() if text is not None else ""
    if not _AMOUNT.fullmatch(text):
        raise field_error(
            field, _("An amount is 0 to 9,999,999,999.99 yuan, with at most two decimals.")
        )
    return Decimal(text).quantize(FEN)


def _level_ok(channel: str, level: str) -> bool:
    if channel == "skill":
        return level in SKILL_RANK
    if channel == "title":
        return level in TITLE_RANK
    return bool(level) and len(level) <= 30


def equivalents(organization: Organization, channel: str, level: str) -> list[tuple[str, str]]:
    """(channel, level) pairs that stand with the given one in the table in force today."""
    out = {(channel, level)}
    for e in table_in_force(organization, timezone.localdate()).equivalences:
        row = {"skill": e.skill_level, "title": e.title_level, "management": e.management_grade}
        if row.get(channel) == level:
            out |= {(c, v) for c, v in row.items() if v}
    return sorted(out)


@transaction.atomic
def pay_band_save(
    *,
    actor: Any,
    organization: Organization,
    channel: str,
    level: str,
    band_min: Any,
    band_max: Any,
) -> list[PayBand]:
    """Set the band of a level and of every level equivalent to it (equal bands)."""
    access.require(actor, MANAGE, organization)
    if organization.kind != Organization.Kind.ENTERPRISE:
        raise field_error("organization", _("Choose an enterprise union."))
    if channel not in CHANNEL_CODES:
        raise field_error("channel", _("Unknown channel."))
    level = (level or "").strip()
    if not _level_ok(channel, level):
        raise field_error("level", _("Unknown level for the channel."))
    low, high = money(band_min, "band_min"), money(band_max, "band_max")
    if high < low:
        raise field_error("band_max", _("The band's top is below its bottom."))
    saved = []
    for ch, lv in equivalents(organization, channel, level):
        band, _created = PayBand.objects.update_or_create(
            organization=organization,
            channel=ch,
            level=lv,
            defaults={"band_min": low, "band_max": high},
        )
        saved.append(band)
    audit(
        actor=actor,
        action="careers.pay_band_save",
        obj=organization,
        organization=organization,
        details={"levels": [f"{b.channel}/{b.level}" for b in saved], "min": low, "max": high},
    )
    return saved


@transaction.atomic
def allowance_save(
    *, actor: Any, organization: Organization, level: str, amount: Any
) -> SkillAllowance:
    """A skill allowance per skill level, or the chief-technician allowance (``CHIEF_ALLOWANCE``)."""
    access.require(actor, MANAGE, organization)
    if level != CHIEF and level not in SKILL_RANK:
        raise field_error("level", _("Unknown skill level."))
    row, _created = SkillAllowance.objects.update_or_create(
        organization=organization, level=level, defaults={"amount": money(amount, "amount")}
    )
    audit(
        actor=actor,
        action="careers.allowance_save",
        obj=organization,
        organization=organization,
        details={"level": level, "amount": row.amount},
    )
    return row


@transaction.atomic
def worker_pay_save(
    *,
    actor: Any,
    worker: Worker,
    enterprise: Organization,
    recorded_channel: str,
    recorded_level: str,
    pay: Any = None,
) -> WorkerPay:
    """The band payroll records for a worker and, optionally, their monthly pay — which only the
    ``hr`` role of the enterprise subtree may write (it is encrypted at rest)."""
    access.require(actor, MANAGE, enterprise)
    if not worker.organization.path.startswith(enterprise.path):
        raise field_error("worker", _("The worker is not of this enterprise."))
    if recorded_channel not in CHANNEL_CODES:
        raise field_error("recorded_channel", _("Unknown channel."))
    if not _level_ok(recorded_channel, recorded_level):
        raise field_error("recorded_level", _("Unknown level for the channel."))
    token = ""
    if pay is not None and str(pay).strip() != "":
        if not access.can(actor, INDIVIDUAL, enterprise):
            raise PermissionDenied(INDIVIDUAL)
        token = crypto.encrypt(str(money(pay, "pay")))
    row, _created = WorkerPay.objects.update_or_create(
        worker=worker,
        defaults={
            "organization": enterprise,
            "recorded_channel": recorded_channel,
            "recorded_level": recorded_level,
            "pay_encrypted": token,
            "updated_by": user_or_none(actor),
        },
    )
    audit(
        actor=actor,
        action="careers.worker_pay_save",
        obj=worker,
        organization=enterprise,
        details={"band": f"{recorded_channel}/{recorded_level}", "pay": bool(token)},
    )
    return row


BAND_COLUMNS = {
    "channel": ["通道", "channel"],
    "level": ["等级", "level"],
    "band_min": ["下限", "band_min"],
    "band_max": ["上限", "band_max"],
}
CHANNEL_WORDS = {"技能": "skill", "专业技术": "title", "管理": "management"}
MAX_BAND_ROWS = 500


@transaction.atomic
def pay_bands_import(
    *, actor: Any, organization: Organization, source: IO[bytes], name: str
) -> int:
    """Bands from a spreadsheet (通道, 等级, 下限, 上限) through the bounded reader: every bad row
    named, nothing written unless every row is right; equivalent levels must agree."""
    access.require(actor, MANAGE, organization)
    rows = read_rows(source, name)
    try:
        _n, mapping, headers, body = find_header(rows, BAND_COLUMNS, list(BAND_COLUMNS))
        header_of = {f: headers[i] for f, i in mapping.items()}
        errors: list[Any] = []
        wanted: dict[tuple[str, str], tuple[Decimal, Decimal, int]] = {}
        for number, row in body:
            if is_blank(row):
                continue
            if len(wanted) + len(errors) >= MAX_BAND_ROWS:
                raise ApplicationError(_("At most 500 bands per file."), code="too_many_rows")
            values = row_values(row, mapping)
            bad = RowErrors(number, values, header_of)
            channel = CHANNEL_WORDS.get(values["channel"], values["channel"])
            level = values["level"]
            if channel in ("skill", "title"):
                from .policy import normalise_target

                level = normalise_target(level) or level
            if channel not in CHANNEL_CODES:
                bad.bad("channel", _("Unknown channel."))
            elif not _level_ok(channel, level):
                bad.bad("level", _("Unknown level for the channel."))
            amounts = []
            for f in ("band_min", "band_max"):
                try:
                    amounts.append(money(values[f], f))
                except ApplicationError as exc:
                    bad.bad(f, exc.message)
            if len(amounts) == 2 and amounts[1] < amounts[0]:
                bad.bad("band_max", _("The band's top is below its bottom."))
            if bad:
                errors.extend(bad)
                continue
            for pair in equivalents(organization, channel, level):
                seen = wanted.get(pair)
                if seen and seen[:2] != (amounts[0], amounts[1]):
                    bad.bad(
                        "band_min",
                        _("Equivalent levels must have equal bands (row %(row)s).")
                        % {"row": seen[2]},
                    )
                    break
                wanted[pair] = (amounts[0], amounts[1], number)
            errors.extend(bad)
    finally:
        rows.close()
    if errors:
        raise ApplicationError(
            _("The file has %(n)s errors; nothing was written.") % {"n": len(errors)},
            code="invalid_rows",
            details=[
                {"field": f"row {e.row}: {e.column}", "error": f"{e.value} — {e.message}"}
                for e in errors[:200]
            ],
        )
    for (channel, level), (low, high, _row) in wanted.items():
        PayBand.objects.update_or_create(
            organization=organization,
            channel=channel,
            level=level,
            defaults={"band_min": low, "band_max": high},
        )
    audit(
        actor=actor,
        action="careers.pay_bands_import",
        obj=organization,
        organization=organization,
        details={"bands": len(wanted), "file": name[:100]},
    )
    return len(wanted)


# ---------------------------------------------------------------------------- reads
def bands(organization: Organization) -> list[PayBand]:
    return list(PayBand.objects.filter(organization=organization).order_by("channel", "band_min"))


@dataclass
class Entitlement:
    worker: Worker
    skill_level: str
    entitled: PayBand | None
    allowance: Decimal
    recorded: PayBand | None
    recorded_label: str
    gap: Decimal | None
    # the channel whose level placed the worker in ``entitled`` ("skill", "title", "management"
    # or "" when no level of theirs has a band) and that level; the title and grade they hold
    channel: str = ""
    channel_level: str = ""
    title_level: str = ""
    management_grade: str = ""


CHANNEL_ORDER = {"skill": 0, "title": 1, "management": 2}  # who places a worker on a tie


def standing_positions(
    equivalences: list[Any],
) -> tuple[dict[tuple[str, str], float], list[tuple[str, int, float]]]:
    """Where each level stands in an equivalence table: (channel, level) → the row's index
    (rows lowest first). A skill level or title no row names stands between the rows around it
    by its rank (``ladder``: the ranks the table's rows name, with their row's index); a
    management grade no row names has no place."""
    position: dict[tuple[str, str], float] = {}
    ladder: list[tuple[str, int, float]] = []
    for i, row in enumerate(equivalences):
        for channel, level, ranks in (
            ("skill", row.skill_level, SKILL_RANK),
            ("title", row.title_level, TITLE_RANK),
            ("management", (row.management_grade or "").strip(), None),
        ):
            if level and (channel, level) not in position:
                position[(channel, level)] = float(i)
                if ranks is not None and level in ranks:
                    ladder.append((channel, ranks[level], float(i)))
    return position, ladder


def position_of(
    channel: str,
    level: str,
    position: dict[tuple[str, str], float],
    ladder: list[tuple[str, int, float]],
) -> float | None:
    """The place of a worker's level in the table (None: no place — an unknown grade)."""
    if not level:
        return None
    if (channel, level) in position:
        return position[(channel, level)]
    ranks = SKILL_RANK if channel == "skill" else TITLE_RANK if channel == "title" else None
    if ranks is None or level not in ranks:
        return None
    below = [p for c, r, p in ladder if c == channel and r < ranks[level]]
    above = [p for c, r, p in ladder if c == channel and r > ranks[level]]
    if below:
        return max(below) + 0.5
    if above:
        return min(above) - 0.5
    return None


def entitlement_report(actor: Any, enterprise: Organization) -> list[Entitlement]:
    """Each worker's entitled band, allowances, recorded band and the gap.

    A worker stands in the band of the highest of their channels per the enterprise's
    equivalence table in force today: their skill level, the highest professional title they
    hold (not revoked) and the management grade they hold today each have a place in the table
    (the row naming them); the highest place with a band gives the band, and ``channel`` says
    which channel it was (on a tie: skills, then titles, then management). Equivalent levels
    share a band, so a level without a band of its own takes its row's band. The skill
    allowance stays by skill level."""
    today = timezone.localdate()
    workers = (
        Worker.objects.visible_to(actor, "careers.view")
        .filter(organization__path__startswith=enterprise.path, status=Worker.Status.ACTIVE)
        .order_by("name_pinyin", "id")
    )
    band_of = {(b.channel, b.level): b for b in bands(enterprise)}
    equivalences = table_in_force(enterprise, today).equivalences
    position, ladder = standing_positions(equivalences)
    row_band: dict[float, PayBand] = {}
    for (channel, level), where in position.items():
        if (channel, level) in band_of:
            row_band.setdefault(where, band_of[(channel, level)])
    allowance = dict(
        SkillAllowance.objects.filter(organization=enterprise).values_list("level", "amount")
    )
    recorded = {
        p.worker_id: p
        for p in WorkerPay.objects.filter(organization=enterprise).only(
            "worker_id", "recorded_channel", "recorded_level"
        )
    }
    in_report = workers.values("pk")
    titles: dict[int, str] = {}
    for worker_id, level in ProfessionalTitle.objects.filter(
        worker__in=in_report, revoked=False, date__lte=today
    ).values_list("worker_id", "level"):
        if TITLE_RANK.get(level, 0) > TITLE_RANK.get(titles.get(worker_id, ""), 0):
            titles[worker_id] = level
    grades = dict(
        ManagementGrade.objects.filter(worker__in=in_report, since__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .values_list("worker_id", "grade")
    )
    out = []
    for w in workers.iterator(2000):
        level = w.skill_level_id or ""
        best: tuple[float, int] | None = None
        entitled, placed_by, placed_level = None, "", ""
        for channel, held in (
            ("skill", level),
            ("title", titles.get(w.pk, "")),
            ("management", grades.get(w.pk, "")),
        ):
            where = position_of(channel, held, position, ladder)
            band = band_of.get((channel, held)) or (
                row_band.get(where) if where is not None else None
            )
            if band is None:
                continue  # no band for this level (yet): it places nobody
            key = (where if where is not None else -1.0, -CHANNEL_ORDER[channel])
            if best is None or key > best:
                best, entitled, placed_by, placed_level = key, band, channel, held
        extra = allowance.get(level, Decimal("0.00"))
        if level == "CHIEF_TECHNICIAN":
            extra += allowance.get(CHIEF, Decimal("0.00"))
        rec = recorded.get(w.pk)
        rec_band = band_of.get((rec.recorded_channel, rec.recorded_level)) if rec else None
        gap = None
        if entitled and rec_band and rec_band.pk != entitled.pk:
            gap = entitled.band_min - rec_band.band_min
            if gap == 0 and entitled.band_max == rec_band.band_max:
                gap = None
        label = f"{rec.recorded_channel}/{rec.recorded_level}" if rec else ""
        out.append(
            Entitlement(
                w,
                level,
                entitled,
                extra,
                rec_band,
                label,
                gap,
                channel=placed_by,
                channel_level=placed_level,
                title_level=titles.get(w.pk, ""),
                management_grade=grades.get(w.pk, ""),
            )
        )
    return out


def pay_medians(actor: Any, enterprise: Organization) -> list[dict[str, Any]]:
    """Median monthly pay per skill level for groups of at least MIN_GROUP workers only."""
    if not access.can(actor, ANALYTICS, enterprise):
        raise PermissionDenied(ANALYTICS)
    groups: dict[str, list[Decimal]] = defaultdict(list)
    rows = (
        WorkerPay.objects.filter(organization=enterprise, worker__status=Worker.Status.ACTIVE)
        .exclude(pay_encrypted="")
        .values_list("worker__skill_level_id", "pay_encrypted")
    )
    for level, token in rows.iterator(2000):
        groups[level or ""].append(Decimal(crypto.decrypt(token)))
    out = []
    for level in sorted(groups, key=lambda lv: SKILL_RANK.get(lv, 0)):
        values = groups[level]
        if len(values) < MIN_GROUP:
            continue  # never shown, nor counted
        out.append(
            {
                "skill_level": level,
                "workers": len(values),
                "median": Decimal(statistics.median(values)).quantize(FEN),
            }
        )
    audit(
        actor=actor,
        action="careers.pay_analytics",
        obj=enterprise,
        organization=enterprise,
        details={"groups": len(out)},
    )
    return out


def worker_pay_read(actor: Any, worker: Worker, enterprise: Organization) -> Decimal | None:
    """A worker's monthly pay for the hr role of the enterprise subtree (audited); 404-like None
    for anyone else is not enough: they are refused."""
    if not access.can(actor, INDIVIDUAL, enterprise):
        raise PermissionDenied(INDIVIDUAL)
    row = WorkerPay.objects.filter(worker=worker, organization=enterprise).first()
    if row is None or not row.pay_encrypted:
        return None
    audit(
        actor=actor,
        action="careers.worker_pay_read",
        obj=worker,
        organization=enterprise,
        details={},
    )
    return Decimal(crypto.decrypt(row.pay_encrypted))
