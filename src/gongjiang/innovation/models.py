"""The innovation app's tables (one module per capability, gathered here for Django)."""

from .models_awards import GRADES, AwardQuota, AwardRound, Nomination
from .models_results import VIEW, Patent, Result, ResultQuerySet, TeamMember, code_field
from .models_revenue import RevenuePart, RevenueScheme, RevenueYear

__all__ = [
    "GRADES",
    "VIEW",
    "AwardQuota",
    "AwardRound",
    "Nomination",
    "Patent",
    "Result",
    "ResultQuerySet",
    "RevenuePart",
    "RevenueScheme",
    "RevenueYear",
    "TeamMember",
    "code_field",
]
