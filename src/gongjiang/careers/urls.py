from django.urls import path

from . import views, views_grades

app_name = "careers"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.me, name="me"),
    path("workers/<str:code>/", views.worker_career, name="worker"),
    path("workers/<str:code>/apply/", views.worker_apply, name="worker_apply"),
    path("workers/<str:code>/titles/", views.worker_title_add, name="worker_title_add"),
    path("workers/<str:code>/grades/", views_grades.grade_record, name="worker_grade_record"),
    path("management-grades/<str:code>/end/", views_grades.grade_end, name="grade_end"),
    path("applications/<str:code>/", views.application_detail, name="application"),
    path("applications/<str:code>/decide/", views.application_decide, name="application_decide"),
    path("enterprises/<str:code>/table/", views.table, name="table"),
]

from . import views_tables  # noqa: E402

urlpatterns += [
    path("enterprises/<str:code>/table/draft/", views_tables.table_draft, name="table_draft"),
    path("table-versions/<str:code>/", views_tables.table_version, name="table_version"),
    path("table-versions/<str:code>/decide/", views_tables.table_decide, name="table_decide"),
]

from . import views_honours, views_honours_settings  # noqa: E402

urlpatterns += [
    path("honours/", views_honours.round_list, name="honours"),
    path("honours/records/", views_honours_settings.records_find, name="honour_records_find"),
    path(
        "honours/workers/<str:code>/records/",
        views_honours_settings.worker_records,
        name="honour_worker_records",
    ),
    path(
        "honours/<str:code>/settings/",
        views_honours_settings.round_settings,
        name="honour_settings",
    ),
    path("honours/new/", views_honours.round_create, name="honour_round_create"),
    path("honours/<str:code>/", views_honours.round_detail, name="honour_round"),
    path("honours/<str:code>/nominate/", views_honours.nominate, name="honour_nominate"),
    path("honours/<str:code>/step/", views_honours.step, name="honour_step"),
    path("honours/<str:code>/score/", views_honours.score, name="honour_score"),
    path(
        "honours/nominations/<str:code>/",
        views_honours.nomination_detail,
        name="honour_nomination",
    ),
    path(
        "honours/nominations/<str:code>/withdraw/",
        views_honours.withdraw,
        name="honour_withdraw",
    ),
    path("honours/documents/<str:code>/", views_honours.document_open, name="honour_document"),
]

from . import views_pay  # noqa: E402

urlpatterns += [
    path("pay/<str:code>/", views_pay.pay_page, name="pay"),
    path("pay/<str:code>/bands.xlsx", views_pay.bands_export, name="pay_bands_export"),
    path("pay/<str:code>/import/", views_pay.bands_import, name="pay_bands_import"),
    path("pay/<str:code>/workers-import/", views_pay.workers_import, name="pay_workers_import"),
    path("pay/<str:code>/report.xlsx", views_pay.report_export, name="pay_report_export"),
    path("pay/<str:code>/medians.xlsx", views_pay.medians_export, name="pay_medians_export"),
]

from . import views_programme_batch  # noqa: E402
from . import views_programmes as vp  # noqa: E402

urlpatterns += [
    path("programmes/", vp.programme_list, name="programmes"),
    path("programmes/new/", vp.programme_create, name="programme_create"),
    path(
        "programmes/applications/<str:code>/",
        vp.application_detail,
        name="programme_application",
    ),
    path(
        "programmes/applications/<str:code>/step/",
        vp.application_step,
        name="programme_application_step",
    ),
    path("programmes/<str:code>/", vp.programme_detail, name="programme"),
    path("programmes/<str:code>/apply/", vp.apply, name="programme_apply"),
    path("programmes/<str:code>/manage/", vp.manage, name="programme_manage"),
    path(
        "programmes/<str:code>/applications.xlsx",
        vp.applications_export,
        name="programme_applications_export",
    ),
    path("programmes/<str:code>/report/", vp.report, name="programme_report"),
    path(
        "programmes/<str:code>/subsidies/pay/",
        views_programme_batch.subsidies_pay,
        name="programme_subsidies_pay",
    ),
]

from . import views_apprentice as va  # noqa: E402
from . import views_apprentice_advance, views_apprentice_documents  # noqa: E402

urlpatterns += [
    path("apprenticeship/", va.desk, name="apprenticeship"),
    path("apprenticeship/me/", va.me, name="apprentice_me"),
    path("apprenticeship/rules/", va.rules, name="apprentice_rules"),
    path("apprenticeship/dashboard/", va.dashboard, name="apprentice_dashboard"),
    path("apprenticeship/report/", va.report, name="apprentice_report"),
    path("apprenticeship/pilots/new/", va.pilot_create, name="apprentice_pilot_create"),
    path(
        "apprenticeship/institutions/new/",
        va.institution_create,
        name="apprentice_institution_create",
    ),
    path("apprenticeship/pilots/<str:code>/", va.pilot_detail, name="apprentice_pilot"),
    path(
        "apprenticeship/pilots/<str:code>/apprentices.xlsx",
        va.pilot_export,
        name="apprentice_pilot_export",
    ),
    path(
        "apprenticeship/pilots/<str:code>/cohorts/",
        va.cohort_create,
        name="apprentice_cohort_create",
    ),
    path("apprenticeship/cohorts/<str:code>/", va.cohort_detail, name="apprentice_cohort"),
    path(
        "apprenticeship/cohorts/<str:code>/apprentices.xlsx",
        va.cohort_export,
        name="apprentice_cohort_export",
    ),
    path("apprenticeship/cohorts/<str:code>/enrol/", va.cohort_enrol, name="apprentice_enrol"),
    path(
        "apprenticeship/cohorts/<str:code>/claims/",
        va.claim_create,
        name="apprentice_claim_create",
    ),
    path(
        "apprenticeship/claims/<str:code>/documents/",
        views_apprentice_documents.claim_documents_add,
        name="apprentice_claim_documents",
    ),
    path(
        "apprenticeship/cohorts/<str:code>/claims/advance/",
        views_apprentice_advance.claim_advance_create,
        name="apprentice_claim_advance",
    ),
    path("apprenticeship/apprentices/<str:code>/", va.apprentice_detail, name="apprentice"),
    path(
        "apprenticeship/apprentices/<str:code>/step/",
        va.apprentice_step,
        name="apprentice_step",
    ),
    path("apprenticeship/claims/<str:code>/", va.claim_detail, name="apprentice_claim"),
    path("apprenticeship/claims/<str:code>/step/", va.claim_step, name="apprentice_claim_step"),
    path(
        "apprenticeship/documents/<str:code>/",
        va.claim_document_open,
        name="apprentice_claim_document",
    ),
]

from . import views_expert_revoke  # noqa: E402
from . import views_experts as ve  # noqa: E402

urlpatterns += [
    path("experts/", ve.desk, name="experts"),
    path("experts/me/", ve.me, name="experts_me"),
    path("experts/new/", ve.call_create, name="expert_call_create"),
    path("experts/calls/<str:code>/", ve.call_detail, name="expert_call"),
    path("experts/calls/<str:code>/step/", ve.call_step, name="expert_step"),
    path("experts/calls/<str:code>/applications.xlsx", ve.call_export, name="expert_export"),
    path("experts/calls/<str:code>/apply/", ve.call_apply, name="expert_apply"),
    path("experts/calls/<str:code>/score/", ve.call_score, name="expert_score"),
    path("experts/calls/<str:code>/object/", ve.me_object, name="experts_me_object"),
    path(
        "experts/applications/<str:code>/withdraw/",
        ve.application_withdraw,
        name="expert_withdraw",
    ),
    path("experts/applications/<str:code>/", ve.application_detail, name="expert_application"),
    path("experts/documents/<str:code>/", ve.document_open, name="expert_document"),
    path("experts/appointments/<str:code>/", ve.appointment_detail, name="expert_appointment"),
    path(
        "experts/appointments/<str:code>/revoke/",
        views_expert_revoke.appointment_revoke,
        name="expert_revoke",
    ),
]
