from django.urls import path

from . import judging_views, public_views, views

app_name = "competitions"

urlpatterns = [
    path("", views.competition_list, name="list"),
    path("new/", views.competition_create, name="create"),
    path("judging/", judging_views.judge_home, name="judge_home"),
    path("judging/<str:code>/", judging_views.judge_queue, name="judge_queue"),
    path("judging/<str:code>/sign-off/", judging_views.sign_off, name="sign_off"),
    path("judging/<str:code>/chief/", judging_views.chief, name="chief"),
    path("judging/<str:code>/marks.xlsx", judging_views.judge_export, name="judge_export"),
    path("judging/<str:code>/<str:entry>/", judging_views.mark_sheet, name="mark_sheet"),
    path(
        "judging/<str:code>/<str:entry>/conflict/",
        judging_views.conflict_declare,
        name="conflict_declare",
    ),
    path("judging/<str:code>/<str:entry>/<str:aspect>/", judging_views.mark_save, name="mark_save"),
    path("public/<str:code>/", public_views.public_results, name="public_results"),
    path("public/<str:code>/<str:entry>/", public_views.public_entry, name="public_entry"),
    path("certificates/<str:entry>.pdf", public_views.certificate, name="certificate"),
    path("entries/<str:code>/act/", views.entry_act, name="entry_act"),
    path("<str:code>/", views.competition_detail, name="detail"),
    path("<str:code>/setup/", views.competition_setup, name="setup"),
    path(
        "<str:code>/scheme/<str:trade>.xlsx",
        views.scheme_template_download,
        name="scheme_template",
    ),
    path("<str:code>/entries/", views.entry_list, name="entries"),
    path("<str:code>/entries/add/", views.entry_add, name="entry_add"),
    path("<str:code>/analytics/", views.analytics, name="analytics"),
    path("<str:code>/results/<str:stage>/", views.stage_results, name="stage_results"),
    path("<str:code>/results/<str:stage>/act/", views.stage_act, name="stage_act"),
]
