"""The spine: reference data, the organisation tree, memberships (roles), audit, API tokens, jobs."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import new_code
from .filecrypt import job_file_storage
from .scoping import ScopedQuerySet
from .validators import normalize_uscc

# --------------------------------------------------------------------------- reference data


class ReferenceQuerySet(models.QuerySet):
    def search(self, q: str) -> ReferenceQuerySet:
        """Match code prefix, name substring, full pinyin or pinyin initials (case-insensitive)."""
        q = (q or "").strip()
        if not q:
            return self
        ql = q.lower().replace(" ", "")
        return self.filter(
            models.Q(code__istartswith=q)
            | models.Q(name__icontains=q)
            | models.Q(pinyin__startswith=ql)
            | models.Q(initials__startswith=ql)
        )


class ReferenceBase(models.Model):
    code = models.CharField(_("code"), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    pinyin = models.CharField(max_length=600, blank=True, db_index=True)
    initials = models.CharField(max_length=200, blank=True, db_index=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Region(ReferenceBase):
    """GB/T 2260 administrative division (province, city, county)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        CITY = "city", _("city")
        COUNTY = "county", _("county")

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)

    class Meta(ReferenceBase.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"


class Occupation(ReferenceBase):
    """职业分类大典 (2022 edition) entry: major, medium, minor group, or occupation."""

    class Level(models.TextChoices):
        MAJOR = "major", _("major group")
        MEDIUM = "medium", _("medium group")
        MINOR = "minor", _("minor group")
        OCCUPATION = "occupation", _("occupation")

    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    edition = models.CharField(_("edition"), max_length=10, default="2022")
    major_group = models.CharField(max_length=1)
    is_digital = models.BooleanField(_("digital occupation"), default=False)
    is_green = models.BooleanField(_("green occupation"), default=False)

    class Meta(ReferenceBase.Meta):
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")


class Industry(ReferenceBase):
    """GB/T 4754-2017 industry: section, division, group or class."""

    class Level(models.TextChoices):
        SECTION = "section", _("section")
        DIVISION = "division", _("division")
        GROUP = "group", _("group")
        CLASS = "class", _("class")

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    section = models.CharField(max_length=1)
    edition = models.CharField(_("edition"), max_length=20, default="GB/T 4754-2017")

    class Meta(ReferenceBase.Meta):
        verbose_name = _("industry")
        verbose_name_plural = _("industries")


class SkillLevel(models.Model):
    """One step of the 8-step ladder (学徒工 … 首席技师); five of them are national levels 5…1."""

    code = models.CharField(_("code"), max_length=30, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=20)
    grade_zh = models.CharField(_("national grade"), max_length=10, blank=True)
    name_en = models.CharField(_("English name"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    is_high_skilled = models.BooleanField(_("high-skilled"), default=False)
    national_level = models.PositiveSmallIntegerField(_("national level"), null=True, blank=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("skill level")
        verbose_name_plural = _("skill levels")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        lang = get_language() or "zh-hans"
        return self.name_zh if lang.startswith("zh") else self.name_en


# --------------------------------------------------------------------------- organisations


class Organization(models.Model):
    """A node of the union tree. ``path`` is a materialised path of fixed-width segments, one per
    ancestor, so a subtree is a prefix search (indexed with varchar_pattern_ops on PostgreSQL)."""

    SEGMENT = 7  # 6 base-36 characters (2.1 billion ids) + "."

    class Kind(models.TextChoices):
        NATIONAL = "national", _("national federation")
        PROVINCIAL = "provincial", _("provincial federation")
        CITY = "city", _("city federation")
        COUNTY = "county", _("county federation")
        INDUSTRY = "industry", _("industry union")
        ENTERPRISE = "enterprise", _("enterprise union")
        TEAM = "team", _("workshop / team")
        DEPARTMENT = "department", _("government department")
        # 社会培训评价组织: a body filed to evaluate skill levels (certification plans belong to it)
        EVALUATION = "evaluation", _("evaluation body")

    code = models.CharField(_("code"), max_length=20, unique=True, default=new_code, editable=False)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=700, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    industry = models.ForeignKey(
        Industry, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("industry")
    )
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact = models.CharField(_("contact person"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="organization_uscc_unique"
            )
        ]
        indexes = [
            # prefix search (LIKE 'path%') on PostgreSQL whatever the collation
            models.Index(
                fields=["path"], name="organization_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.uscc:
            try:
                self.uscc = normalize_uscc(self.uscc)
            except ValidationError as exc:
                errors["uscc"] = exc.messages
        if self.kind == self.Kind.ENTERPRISE:
            if not self.uscc and "uscc" not in errors:
                errors["uscc"] = [_("An enterprise needs its unified social credit code.")]
            if not self.industry_id:
                errors["industry"] = [_("An enterprise needs its industry.")]
        parent = self.parent if self.parent_id else None
        if parent is not None:
            allowed = ALLOWED_CHILDREN.get(parent.kind, set())
            if self.kind not in allowed:
                errors["kind"] = [
                    _("A %(child)s cannot sit under a %(parent)s.")
                    % {"child": self.get_kind_display(), "parent": parent.get_kind_display()}
                ]
        elif self.kind not in ROOT_KINDS:
            errors["parent"] = [_("Only a national or provincial federation may be a root.")]
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def segment_for(pk: int) -> str:
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"
        out = ""
        n = pk
        while n:
            n, r = divmod(n, 36)
            out = digits[r] + out
        return out.rjust(Organization.SEGMENT - 1, "0") + "."

    def is_descendant_of(self, other: Organization) -> bool:
        return self.path.startswith(other.path) and self.pk != other.pk

    def ancestors(self) -> models.QuerySet[Organization]:
        step = self.SEGMENT
        prefixes = [self.path[: i + step] for i in range(0, len(self.path) - step, step)]
        return Organization.objects.filter(path__in=prefixes).order_by("depth")

    def descendants(self, include_self: bool = True) -> models.QuerySet[Organization]:
        qs = Organization.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    @property
    def province_code(self) -> str:
        return self.region_id[:2] + "0000" if self.region_id else ""


ROOT_KINDS = {Organization.Kind.NATIONAL, Organization.Kind.PROVINCIAL}
K = Organization.Kind
ALLOWED_CHILDREN: dict[str, set[str]] = {
    K.NATIONAL: {K.PROVINCIAL, K.INDUSTRY, K.ENTERPRISE, K.DEPARTMENT, K.EVALUATION},
    K.PROVINCIAL: {K.CITY, K.INDUSTRY, K.ENTERPRISE, K.DEPARTMENT, K.EVALUATION},
    K.CITY: {K.COUNTY, K.INDUSTRY, K.ENTERPRISE, K.DEPARTMENT, K.EVALUATION},
    K.COUNTY: {K.ENTERPRISE, K.INDUSTRY, K.DEPARTMENT, K.EVALUATION},
    K.INDUSTRY: {K.INDUSTRY, K.ENTERPRISE, K.EVALUATION},
    K.ENTERPRISE: {K.ENTERPRISE, K.TEAM},
    K.TEAM: {K.TEAM},
    K.DEPARTMENT: {K.DEPARTMENT},
    K.EVALUATION: set(),
}


class Role(models.TextChoices):
    ADMIN = "admin", _("administrator")
    OFFICER = "officer", _("officer")
    TRAINER = "trainer", _("trainer")
    JUDGE = "judge", _("judge")
    INSPECTOR = "inspector", _("inspector")
    WORKER = "worker", _("worker")
    # an assistance officer: the only union role that sees hardship files (assistance app, PIPL)
    ASSISTANCE = "assistance", _("assistance officer")
    # a member of a workers' congress proposal committee (congress app)
    COMMITTEE = "committee", _("proposal committee member")
    # enterprise human resources: careers, pay bands, apprenticeship (careers app)
    HR = "hr", _("human resources officer")


class Membership(models.Model):
    """A user's role in one organisation; the role covers the organisation's whole subtree."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


# --------------------------------------------------------------------------- audit


class AuditEventQuerySet(ScopedQuerySet):
    def update(self, **kwargs: Any) -> int:  # type: ignore[override]
        raise PermissionError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:  # type: ignore[override]
        raise PermissionError("the audit log is append-only")


class AuditEvent(models.Model):
    """One row per state change or sensitive read. Append-only: never updated, never deleted."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_code = models.CharField(_("object"), max_length=40, blank=True, db_index=True)
    object_repr = models.CharField(_("object name"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organization"),
    )
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("the audit log is append-only")

    @property
    def action_label(self) -> str:
        """The action in words (the code stays internal)."""
        from .audit_labels import action_label

        return action_label(self.action)


# --------------------------------------------------------------------------- API tokens


class ApiToken(models.Model):
    """A bearer token for machine clients. Only a SHA-256 of the secret is stored."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        return "gj_" + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


# --------------------------------------------------------------------------- background jobs


class Job(models.Model):
    """A long piece of work (import, report, recalculation) that runs as a background task and
    reports progress the user can watch. ``kind`` names a handler registered in ``core.jobs``."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    kind = models.CharField(_("kind"), max_length=60)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    # encrypted at rest, 0600; deleted JOB_FILE_RETENTION_DAYS after the job finished
    input_file = models.FileField(upload_to="jobs/in/%Y/%m/", blank=True, storage=job_file_storage)
    output_file = models.FileField(
        upload_to="jobs/out/%Y/%m/", blank=True, storage=job_file_storage
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # the lease of a running job: renewed while it works; a job whose lease expired is failed
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="core_job_status_beat")]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.code} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


# --------------------------------------------------------------------------- periodic work


class ScheduledRun(models.Model):
    """The shared state of one periodic entry of ``core.schedule``: when it runs next, when it last
    ran. A worker claims a due run by moving ``next_run_at`` forward with one compare-and-set
    UPDATE; only the worker whose UPDATE changed the row enqueues the task."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    schedule = models.CharField(
        _("schedule"), max_length=40, blank=True, help_text="the rule next_run_at was computed by"
    )
    next_run_at = models.DateTimeField(_("next run"))
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_task_id = models.CharField(_("last task"), max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")

    def __str__(self) -> str:
        return f"{self.name} (next {self.next_run_at:%Y-%m-%d %H:%M:%S})"


# ------------------------------------------------------------- shared pieces in sub-packages
# Enterprises (用人单位) live in their own module; imported here so Django finds the model.
from .counters import CounterDelta, CounterFold  # noqa: E402, F401
from .enterprise_models import Enterprise  # noqa: E402,F401
from .ledger.models import Fund, LedgerEntry  # noqa: E402, F401
from .notices.models import CalendarDay, NoticeObjection, PublicNotice  # noqa: E402, F401
from .review.models import (  # noqa: E402, F401
    PanelMember,
    ReviewCriterion,
    ReviewItem,
    ReviewRound,
    ReviewScore,
)
