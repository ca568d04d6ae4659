"""Member services: the worker's phone home, service stations, activities and campaigns, help desk."""

from .activities import Activity, ActivityFeedback, ActivityPhoto, ActivitySignup
from .campaigns import Campaign, CampaignAreaTally, CampaignOrgTally, ContestEntry
from .helpdesk import HelpMessage, HelpRequest
from .library import Book, BookHold, BookLoan, ReadingList, ReadingProgress
from .news import Article, ArticleImage, ArticleRead
from .notifications import Notification
from .stations import Station, StationCheckIn, StationFeedback

__all__ = [
    "Book",
    "BookHold",
    "BookLoan",
    "ReadingList",
    "ReadingProgress",
    "Activity",
    "ActivityFeedback",
    "ActivityPhoto",
    "ActivitySignup",
    "Article",
    "ArticleImage",
    "ArticleRead",
    "Campaign",
    "CampaignAreaTally",
    "CampaignOrgTally",
    "ContestEntry",
    "HelpMessage",
    "HelpRequest",
    "Notification",
    "Station",
    "StationCheckIn",
    "StationFeedback",
]
