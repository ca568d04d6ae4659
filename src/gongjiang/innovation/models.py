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

# the technical exchange and the files of results
from .models_exchange import Answer, ExchangeReport, ExchangeVote, Question  # noqa: E402
from .models_files import ResultFile  # noqa: E402

__all__ += ["Answer", "ExchangeReport", "ExchangeVote", "Question", "ResultFile"]
