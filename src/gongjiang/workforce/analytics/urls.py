"""Dashboard URLs, added to workforce/urls.py's urlpatterns (so they live under /workforce/analytics/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("analytics/", views.analytics_home, name="analytics_home"),
    path("analytics/<str:code>/", views.analytics_dashboard, name="analytics_dashboard"),
    path(
        "analytics/<str:code>/export/<str:figure>.xlsx",
        views.analytics_export,
        name="analytics_export",
    ),
]
