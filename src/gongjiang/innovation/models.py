"""The innovation app's tables (one module per capability, gathered here for Django)."""

from .models_awards import GRADES, AwardQuota, AwardRound, Nomination
from .models_results import VIEW, Patent, Result, ResultQuerySet, TeamMember, code_field

__all__ = [
    "GRADES",
    "VIEW",
    "AwardQuota",
    "AwardRound",
    "Nomination",
    "Patent",
    "Result",
    "ResultQuerySet",
    "TeamMember",
    "code_field",
]
