from django.urls import path

from . import public, views

app_name = "certification"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<str:code>/", views.plan_detail, name="plan_detail"),
    path("plans/<str:code>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<str:code>/enrol/", views.plan_enrol, name="plan_enrol"),
    path("plans/<str:code>/scores/", views.plan_scores, name="plan_scores"),
    path("plans/<str:code>/decide/", views.plan_decide, name="plan_decide"),
    path("plans/<str:code>/reopen/", views.plan_reopen, name="plan_reopen"),
    path(
        "plans/<str:code>/theory-from-exam/",
        views.plan_theory_from_exam,
        name="plan_theory_from_exam",
    ),
    path("plans/<str:code>/issue/", views.plan_issue, name="plan_issue"),
    path("plans/<str:code>/examine/", views.plan_examine, name="plan_examine"),
    path("candidates/<str:code>/score/", views.candidate_score, name="candidate_score"),
    path("candidates/<str:code>/withdraw/", views.candidate_withdraw, name="candidate_withdraw"),
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/<str:code>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<str:code>/pdf/", views.certificate_download, name="certificate_pdf"),
    path("verify/", public.verify_lookup, name="verify_lookup"),
    path("verify/<str:token>/", public.verify, name="verify"),
]
