"""Mounts the revenue-sharing and studio routers on the innovation router (imported by the last
line of api.py, so api.py's router exists already)."""

from .api import router
from .api_revenue import router as revenue_router
from .api_studios import router as studios_router

router.add_router("", revenue_router)
router.add_router("", studios_router)
