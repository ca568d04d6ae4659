from django.urls import path

from . import views, views_intake, views_me, views_money

app_name = "assistance"

urlpatterns = [
    path("", views.home, name="home"),
    path("files/", views.file_list, name="file_list"),
    path("files/new/", views.file_new, name="file_new"),
    path("from-help/<str:code>/", views_intake.from_help, name="from_help"),
    path("files/<str:code>/", views.file_detail, name="file_detail"),
    path("files/<str:code>/act/", views.file_act, name="file_act"),
    path("files/<str:code>/documents/", views.document_add, name="document_add"),
    path("files/<str:code>/support/", views.support_add, name="support_add"),
    path("documents/<str:code>/", views.document_open, name="document_open"),
    path("support/<str:code>/", views.support_act, name="support_act"),
    path("standards/", views_money.standard_list, name="standard_list"),
    path("reassessments/", views_money.reassessment_list, name="reassessment_list"),
    path("reassessments/<str:code>/", views_money.reassessment_act, name="reassessment_act"),
    path("lines/", views_money.line_list, name="line_list"),
    path("funds/", views_money.fund_list, name="fund_list"),
    path("campaigns/", views_money.campaign_list, name="campaign_list"),
    path("campaigns/<str:code>/", views_money.campaign_detail, name="campaign_detail"),
    path("reports/", views_money.reports, name="reports"),
    path("reports/export.xlsx", views_money.reports_export, name="reports_export"),
    path("me/", views_me.me, name="me"),
    path("me/apply/", views_me.me_apply, name="me_apply"),
    path("me/<str:code>/", views_me.me_file, name="me_file"),
]
