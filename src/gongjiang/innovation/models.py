"""The innovation app's tables (one module per capability, gathered here for Django)."""

from .models_awards import GRADES, AwardQuota, AwardRound, Nomination
from .models_results import VIEW, Patent, Result, ResultQuerySet, TeamMember, code_field
from .models_revenue import RevenueCorrection, RevenuePart, RevenueScheme, RevenueYear
from .models_studios import (
    Alliance,
    JointProject,
    MentoringPair,
    ProjectTask,
    Studio,
    StudioAssessment,
    StudioMember,
    StudioRename,
    StudioYear,
)

__all__ = [
    "GRADES",
    "VIEW",
    "Alliance",
    "AwardQuota",
    "AwardRound",
    "JointProject",
    "MentoringPair",
    "Nomination",
    "Patent",
    "ProjectTask",
    "Result",
    "ResultQuerySet",
    "RevenueCorrection",
    "RevenuePart",
    "RevenueScheme",
    "RevenueYear",
    "Studio",
    "StudioAssessment",
    "StudioMember",
    "StudioRename",
    "StudioYear",
    "TeamMember",
    "code_field",
]

# the technical exchange and the files of results
from .models_exchange import Answer, ExchangeReport, ExchangeVote, Question  # noqa: E402
from .models_files import ResultFile  # noqa: E402

__all__ += ["Answer", "ExchangeReport", "ExchangeVote", "Question", "ResultFile"]

# the yearly budget of a reward fund
from .models_budget import FundBudget  # noqa: E402

__all__ += ["FundBudget"]
