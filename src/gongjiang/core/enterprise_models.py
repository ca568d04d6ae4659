"""Enterprises (用人单位): the companies workers are employed by, apart from the unions that cover
them.

An enterprise union (企业工会, an :class:`~gongjiang.core.models.Organization` of kind
``enterprise``) is the union *of* a company; the company itself — its legal name, unified social
credit code (GB 32100), industry (GB/T 4754), region (GB/T 2260) and size — is an
:class:`Enterprise`. A worker's employer is the enterprise; the union that covers it places it in
the tree, so access is scoped exactly as before: an enterprise is visible inside its union's
subtree (``SCOPE_PATH = "union__path"``), and so are its workers.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .codes import new_code
from .scoping import ScopedQuerySet
from .validators import normalize_uscc


class Enterprise(models.Model):
    class Size(models.TextChoices):
        # 统计上大中小微型企业划分办法 (2017)
        LARGE = "large", _("large enterprise")
        MEDIUM = "medium", _("medium-sized enterprise")
        SMALL = "small", _("small enterprise")
        MICRO = "micro", _("micro enterprise")

    code = models.CharField(_("code"), max_length=20, unique=True, default=new_code, editable=False)
    name = models.CharField(_("legal name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    industry = models.ForeignKey(
        "core.Industry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("industry"),
    )
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    size = models.CharField(_("size"), max_length=8, choices=Size.choices, blank=True)
    union = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("union organisation"),
        help_text=_("The enterprise union that covers the enterprise's workers."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "union__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="enterprise_uscc_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        Organization = apps.get_model("core", "Organization")  # noqa: N806 (core.models imports this module)

        errors: dict[str, Any] = {}
        if self.uscc:
            try:
                self.uscc = normalize_uscc(self.uscc)
            except ValidationError as exc:
                errors["uscc"] = exc.messages
        else:
            errors["uscc"] = [_("An enterprise needs its unified social credit code.")]
        if not self.industry_id:
            errors["industry"] = [_("An enterprise needs its industry.")]
        if self.name and self.name.strip().endswith("工会"):
            errors["name"] = [
                _("Enter the enterprise's legal name, not the name of its union (…工会).")
            ]
        if self.union_id and self.union.kind != Organization.Kind.ENTERPRISE:
            errors["union"] = [_("The covering union must be an enterprise union.")]
        if errors:
            raise ValidationError(errors)

    @property
    def province_code(self) -> str:
        return self.region_id[:2] + "0000" if self.region_id else ""
