"""Rollup tables of the skill-structure analytics (maintained by :mod:`gongjiang.workforce.analytics.rollups`).

Every dashboard figure is a ``SUM(n)`` over one of these tables joined to ``core.Organization``
(the employer) and filtered by the user's organisation paths — never a scan of the worker table.

* :class:`WorkerRollup` — workers per employer, per dimension value and skill level. ``dim`` says
  which dimension ``key`` holds: ``status`` (every worker, key = status), and for workers on the job
  only: ``gender`` (key = M/F; summing it gives the headcount), ``age`` (age band at the rollup's
  as-of date), ``emp`` (employment type), ``occ`` (职业分类大典 medium group such as ``6-23``, ""
  when none). ``level`` is the SkillLevel code ("" when none).
* :class:`LevelGainRollup` — skill-level gains (a not-reverted change to a higher level, or a first
  level) per employer of the worker today, year of the change and new level.
* :class:`HonourRollup` — honours not revoked, per employer, title, level and year.
* :class:`RollupMeta` — one row per rollup family: the as-of date of the age bands, when built.

Each table has two tiers: ``subtree=False`` rows count the workers of one employer;
``subtree=True`` rows hold the same counts summed over every employer below a federation or union
(any organisation that is not an enterprise or team), so a province's dashboard reads a handful of
rows instead of one group per enterprise. Also ``dim="total"`` (key "") counts the workers on the
job per employer and level (the by-region, by-industry and by-employer figures group it by the
employer's columns).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.scoping import ScopedQuerySet

__all__ = ["HonourRollup", "LevelGainRollup", "RollupMeta", "WorkerRollup"]


class RollupMeta(models.Model):
    key = models.CharField(max_length=20, primary_key=True)
    as_of = models.DateField(_("as of"))
    built_at = models.DateTimeField(_("built at"))
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")

    def __str__(self) -> str:
        return f"{self.key} as of {self.as_of}"


class WorkerRollup(models.Model):
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    dim = models.CharField(max_length=8)
    key = models.CharField(max_length=12, blank=True)
    level = models.CharField(max_length=30, blank=True)
    n = models.IntegerField(default=0)
    subtree = models.BooleanField(default=False)

    SCOPE_PATH = "organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker rollup")
        verbose_name_plural = _("worker rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "subtree", "dim", "key", "level"],
                name="wf_rollup_cell_unique",
            ),
        ]
        # the per-employer figures of a large organisation read every employer's "total" rows
        indexes = [
            models.Index(fields=["dim", "subtree", "organization"], name="wf_rollup_dim_org")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.dim}={self.key} {self.level}: {self.n}"


class LevelGainRollup(models.Model):
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=30)
    n = models.IntegerField(default=0)
    subtree = models.BooleanField(default=False)

    SCOPE_PATH = "organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("skill-level gain rollup")
        verbose_name_plural = _("skill-level gain rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "subtree", "year", "level"], name="wf_rollup_gain_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year} {self.level}: {self.n}"


class HonourRollup(models.Model):
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    title = models.CharField(max_length=60)
    honour_level = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    n = models.IntegerField(default=0)
    subtree = models.BooleanField(default=False)

    SCOPE_PATH = "organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("honour rollup")
        verbose_name_plural = _("honour rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "subtree", "title", "honour_level", "year"],
                name="wf_rollup_honour_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.title} {self.year}: {self.n}"
