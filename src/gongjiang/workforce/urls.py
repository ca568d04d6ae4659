import importlib

from django.urls import path
from django.views.generic import RedirectView

from . import transfer_views, views
from .roster import views as import_views

app_name = "workforce"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="workforce:worker_list"), name="index"),
    path("workers/", views.worker_list, name="worker_list"),
    path("workers/new/", views.worker_create, name="worker_create"),
    path("workers/<str:code>/", views.worker_detail, name="worker_detail"),
    path("workers/<str:code>/edit/", views.worker_edit, name="worker_edit"),
    path("workers/<str:code>/transfer/", views.worker_transfer, name="worker_transfer"),
    path("workers/<str:code>/skill-level/", views.worker_level_change, name="worker_level_change"),
    path("workers/<str:code>/certificates/new/", views.certificate_add, name="certificate_add"),
    path("workers/<str:code>/honours/new/", views.honour_add, name="honour_add"),
    path("workers/<str:code>/training/new/", views.training_add, name="training_add"),
    path("workers/<str:code>/reveal/", views.worker_reveal, name="worker_reveal"),
    path(
        "skill-level-changes/<str:code>/revert/",
        views.level_change_revert,
        name="level_change_revert",
    ),
    path(
        "transfer-requests/",
        transfer_views.transfer_request_list,
        name="transfer_request_list",
    ),
    path(
        "transfer-requests/<str:code>/<str:decision>/",
        transfer_views.transfer_request_decide,
        name="transfer_request_decide",
    ),
    path("imports/", import_views.import_upload, name="import_upload"),
    path("imports/template/", import_views.import_template, name="import_template"),
    path("imports/approvals/", import_views.import_approvals, name="import_approvals"),
    path(
        "imports/approvals/<str:code>/",
        import_views.import_approval_decide,
        name="import_approval_decide",
    ),
    path("imports/<str:code>/", import_views.import_detail, name="import_detail"),
    path("imports/<str:code>/run/", import_views.import_run, name="import_run"),
    path("imports/<str:code>/report/", import_views.import_report, name="import_report"),
]

# the skill-structure analytics (workforce/analytics/) add their pages here
try:
    urlpatterns += importlib.import_module("gongjiang.workforce.analytics.urls").urlpatterns
except ModuleNotFoundError as exc:
    if exc.name != "gongjiang.workforce.analytics.urls":
        raise
