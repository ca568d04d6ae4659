"""Reference lookups shared by the registry's services (a model or its code)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongjiang.core.models import Occupation, SkillLevel


def level_ref(value: SkillLevel | str | None) -> SkillLevel | None:
    if value is None or value == "":
        return None
    if isinstance(value, SkillLevel):
        return value
    level = SkillLevel.objects.filter(code=value).first()
    if level is None:
        raise ValidationError({"level": [_("Unknown skill level “%(code)s”.") % {"code": value}]})
    return level


def occupation_ref(value: Occupation | str | None) -> Occupation | None:
    if value is None or value == "":
        return None
    if isinstance(value, Occupation):
        return value
    occupation = Occupation.objects.filter(code=value).first()
    if occupation is None:
        raise ValidationError(
            {"occupation": [_("Unknown occupation code “%(code)s”.") % {"code": value}]}
        )
    return occupation
