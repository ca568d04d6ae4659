from django.urls import path

from . import views

app_name = "careers"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.me, name="me"),
    path("workers/<str:code>/", views.worker_career, name="worker"),
    path("workers/<str:code>/apply/", views.worker_apply, name="worker_apply"),
    path("workers/<str:code>/titles/", views.worker_title_add, name="worker_title_add"),
    path("applications/<str:code>/", views.application_detail, name="application"),
    path("applications/<str:code>/decide/", views.application_decide, name="application_decide"),
    path("enterprises/<str:code>/table/", views.table, name="table"),
]

from . import views_honours  # noqa: E402

urlpatterns += [
    path("honours/", views_honours.round_list, name="honours"),
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
]
