"""The workforce registry: workers and their dated, sourced history.

A worker is employed by an enterprise (``employer``, a :class:`~gongjiang.core.models.Enterprise`:
the company, with its legal name and credit code) and belongs to the enterprise union that covers it
(``organization``) and optionally a team below that union; the union's path scopes every read
(``Worker.objects.visible_to(user)``). ``employer.union`` is always ``organization``. The citizen ID number is
stored encrypted with a keyed hash for uniqueness and lookup (core.crypto); pages show it masked.
History rows (skill-level changes, certificates, honours, training records, transfers) hang off
the worker and so travel with them when they move to another employer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet


class WorkerQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        """Workers inside the subtrees the user's roles cover, plus the user's own record."""
        qs = super().visible_to(user, perm)
        if getattr(user, "is_authenticated", False) and not getattr(user, "is_superuser", False):
            own = self.filter(user=user)
            return (qs | own).distinct() if own.exists() else qs
        return qs


class Worker(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class EmploymentType(models.TextChoices):
        CONTRACT = "contract", _("contract employee")
        DISPATCHED = "dispatched", _("dispatched worker")
        MIGRANT = "migrant", _("migrant worker")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("on the job")
        LEFT = "left", _("left")
        RETIRED = "retired", _("retired")

    # uniqueness of code and citizen_id_hash by constraints (Meta): one index each, no *_like twin
    code = models.CharField(max_length=20, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        db_index=False,  # covered by worker_org_pinyin_id
        related_name="workers",
        verbose_name=_("union organisation"),
    )
    employer = models.ForeignKey(
        "core.Enterprise",
        on_delete=models.PROTECT,
        related_name="workers",
        verbose_name=_("employer"),
    )
    team = models.ForeignKey(
        "core.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_workers",
        verbose_name=_("team"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="worker",
        verbose_name=_("login"),
    )
    name = models.CharField(_("name"), max_length=50)
    name_pinyin = models.CharField(max_length=200, blank=True)
    name_initials = models.CharField(max_length=50, blank=True)
    citizen_id_encrypted = models.TextField(_("citizen ID number (encrypted)"))
    citizen_id_hash = models.CharField(max_length=64)
    citizen_id_last4 = models.CharField(max_length=4)
    citizen_id_masked = models.CharField(_("citizen ID number"), max_length=18)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    education = models.CharField(_("education"), max_length=20, blank=True)
    political_status = models.CharField(_("political status"), max_length=20, blank=True)
    phone_encrypted = models.TextField(blank=True)
    phone_masked = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # keyed digest of the phone number: lets an import tell "unchanged" without decrypting
    phone_hash = models.CharField(max_length=32, blank=True)
    employee_number = models.CharField(_("employee number"), max_length=40, blank=True)
    occupation = models.ForeignKey(
        "core.Occupation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # worker_occupation_prefix
        verbose_name=_("occupation"),
    )
    occupation_edition = models.CharField(max_length=10, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    skill_level = models.ForeignKey(
        "core.SkillLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # worker_skill_level
        verbose_name=_("skill level"),
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    employment_type = models.CharField(
        _("employment type"),
        max_length=12,
        choices=EmploymentType.choices,
        default=EmploymentType.CONTRACT,
    )
    union_member_since = models.DateField(_("union member since"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["name_pinyin", "id"]
        permissions = []
        constraints = [
            models.UniqueConstraint(fields=["code"], name="worker_code_unique"),
            models.UniqueConstraint(
                fields=["citizen_id_hash"], name="worker_citizen_id_hash_unique"
            ),
        ]
        # Every index slows the bulk import, so there is one per search and no more (on PostgreSQL
        # Django would add a *_like twin to each indexed text column; prefix searches get a single
        # varchar_pattern_ops index instead, which also serves equality).
        indexes = [
            # keyset paging in list order, whole scope and one employer (also the employer FK
            # index); the first also serves pinyin prefixes, searched as ranges (selectors.key_prefix)
            models.Index(fields=["name_pinyin", "id"], name="worker_pinyin_id"),
            models.Index(fields=["organization", "name_pinyin", "id"], name="worker_org_pinyin_id"),
            models.Index(
                fields=["name"], name="worker_name_prefix", opclasses=["varchar_pattern_ops"]
            ),
            # initials search: a range on the initials, read in (initials, list) order
            models.Index(
                fields=["name_initials", "name_pinyin", "id"], name="worker_initials_list"
            ),
            models.Index(fields=["citizen_id_last4"], name="worker_id_last4"),
            models.Index(
                fields=["occupation"],
                name="worker_occupation_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["skill_level"], name="worker_skill_level"),
        ]

    def __str__(self) -> str:
        return self.name


class HistoryBase(models.Model):
    """A dated, sourced history row of a worker (it travels with the worker)."""

    code = models.CharField(max_length=20, default=new_code, editable=False)
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, verbose_name=_("worker"))
    date = models.DateField(_("date"))
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where this fact comes from: an import, an exam, a competition, a person."),
    )
    source_ref = models.CharField(
        max_length=60, blank=True, help_text="code of the originating object"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "worker__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-date", "-id"]
        # a constraint rather than unique=True: no varchar_pattern_ops twin on PostgreSQL, one
        # index fewer for every history row a bulk import writes
        constraints = [
            models.UniqueConstraint(fields=["code"], name="%(app_label)s_%(class)s_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.date:%Y-%m-%d}"


class SkillLevelChange(HistoryBase):
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="skill_level_changes")
    from_level = models.ForeignKey(
        "core.SkillLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from"),
        db_index=False,  # eight reference rows that are never deleted: no index to maintain
    )
    to_level = models.ForeignKey(
        "core.SkillLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to"),
        db_index=False,  # eight reference rows that are never deleted: no index to maintain
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reverted = models.BooleanField(default=False)

    class Meta(HistoryBase.Meta):
        verbose_name = _("skill-level change")
        verbose_name_plural = _("skill-level changes")


class Certificate(HistoryBase):
    class Kind(models.TextChoices):
        SKILL_LEVEL = "skill_level", _("vocational skill level certificate")
        QUALIFICATION = "qualification", _("vocational qualification certificate")
        SPECIAL_OPERATION = "special_operation", _("special operation certificate")
        OTHER = "other", _("other")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occupation = models.ForeignKey(
        "core.Occupation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="worker_certificates",
        verbose_name=_("occupation"),
    )
    level = models.ForeignKey(
        "core.SkillLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="worker_certificates",
        verbose_name=_("level"),
    )
    number = models.CharField(_("certificate number"), max_length=40, db_index=True)
    issuer = models.CharField(_("issuer"), max_length=100)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta(HistoryBase.Meta):
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")


class Honour(HistoryBase):
    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        PROVINCIAL = "provincial", _("provincial")
        CITY = "city", _("city")
        ENTERPRISE = "enterprise", _("enterprise")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="honours")
    title = models.CharField(_("title"), max_length=60, db_index=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    awarded_by = models.CharField(_("awarded by"), max_length=100, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta(HistoryBase.Meta):
        verbose_name = _("honour")
        verbose_name_plural = _("honours")


class TrainingRecord(HistoryBase):
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="training_records")
    title = models.CharField(_("course or event"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    result = models.CharField(_("result"), max_length=60, blank=True)
    provider = models.CharField(_("provider"), max_length=100, blank=True)

    class Meta(HistoryBase.Meta):
        verbose_name = _("training record")
        verbose_name_plural = _("training records")


class Transfer(HistoryBase):
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="transfers")
    from_organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta(HistoryBase.Meta):
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")


class TransferRequest(models.Model):
    """A request to move a worker to the requesting employer, routed to the employer that holds the
    worker's record (workforce/transfer_requests.py). It is filed when an officer registers,
    edits or imports a citizen ID held outside their organisations, so that the register keeps one
    record per person without telling the officer where (or whether) the person is registered.

    Scoped by the worker's current employer: the holding organisation's officers see and decide it;
    the requester never sees it (that would tell them the person exists)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    code = models.CharField(max_length=20, default=new_code, editable=False, unique=True)
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="transfer_requests", verbose_name=_("worker")
    )
    to_organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requesting employer"),
    )
    name_given = models.CharField(_("name given by the requester"), max_length=50, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "worker__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "to_organization"],
                condition=models.Q(status="pending"),
                name="transfer_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker} → {self.to_organization}"


# A roster import waiting for approval (separation of duties) lives beside the roster import.
# The skill-structure rollup tables live in their own module (workforce/analytics/rollups.py maintains them).
from .analytics.rollup_models import HonourRollup, LevelGainRollup, RollupMeta, WorkerRollup  # noqa: E402,F401
from .roster.approval_models import RosterImportApproval  # noqa: E402,F401
