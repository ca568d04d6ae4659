from django.urls import path

from . import views, views_exports
from .supervision import views as views_supervision

app_name = "reform"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<str:code>/", views.plan_detail, name="plan_detail"),
    path("plans/<str:code>/derive/", views.plan_derive, name="plan_derive"),
    path("plans/<str:code>/items/new/", views.item_create, name="item_create"),
    path("plans/<str:code>/ledger.xlsx", views_exports.ledger_export, name="ledger_export"),
    path("plans/<str:code>/bulletin/", views_exports.bulletin, name="bulletin"),
    path("plans/<str:code>/evaluation/", views_exports.evaluation, name="evaluation"),
    path("bulletins/<str:code>.pdf", views_exports.bulletin_download, name="bulletin_download"),
    path("items/<str:code>/edit/", views.item_edit, name="item_edit"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<str:code>/", views.task_detail, name="task_detail"),
    path("tasks/<str:code>/evidence/", views.task_evidence, name="task_evidence"),
    path("tasks/<str:code>/milestones/", views.task_milestone, name="task_milestone"),
    path("evidence/<str:code>/", views.attachment_download, name="attachment_download"),
    path("reviews/", views.review_list, name="review_list"),
    path("reports/<str:code>/review/", views.report_review, name="report_review"),
    path("units/<str:code>/responsibility/", views.responsibility, name="responsibility"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<str:code>/read/", views.notification_read, name="notification_read"),
    path("inspections/", views_supervision.inspection_list, name="inspection_list"),
    path("inspections/new/", views_supervision.inspection_create, name="inspection_create"),
    path("inspections/<str:code>/", views_supervision.inspection_detail, name="inspection_detail"),
    path(
        "findings/<str:code>/rectifications/",
        views_supervision.rectification_add,
        name="rectification_add",
    ),
    path(
        "rectifications/<str:code>/", views_supervision.rectification_act, name="rectification_act"
    ),
    path("notices/", views_supervision.notice_list, name="notice_list"),
    path("notices/new/", views_supervision.notice_create, name="notice_create"),
    path("notices/<str:code>/", views_supervision.notice_detail, name="notice_detail"),
    path("rollout/", views_supervision.rollout_view, name="rollout"),
]
