from django.urls import path

from . import views, views_awards, views_funds, views_revenue, views_studio_files, views_studios

app_name = "innovation"

urlpatterns = [
    path("", views.result_list, name="result_list"),
    path("results.xlsx", views.result_export, name="result_export"),
    path("exports/<slug:key>.xlsx", views.list_export, name="list_export"),
    path("exports/jobs/<str:code>.xlsx", views.export_download, name="export_download"),
    path("results/new/", views.result_create, name="result_create"),
    path("results/<str:code>/", views.result_detail, name="result_detail"),
    path("review/", views.review_list, name="review_list"),
    path("analytics/", views.analytics, name="analytics"),
    path("showcase/", views.showcase, name="showcase"),
    path("showcase/<str:code>/", views.showcase_detail, name="showcase_detail"),
]

urlpatterns += [
    path("awards/", views_awards.round_list, name="award_list"),
    path("awards/new/", views_awards.round_create, name="award_create"),
    path("awards/<str:code>/", views_awards.round_detail, name="award_detail"),
    path("awards/<str:code>/act/", views_awards.round_act, name="award_act"),
    path("awards/<str:code>/panel/", views_awards.panel_sheet, name="panel_sheet"),
    path("awards/<str:code>/list.xlsx", views_awards.award_list_export, name="award_list_export"),
]

urlpatterns += [
    path("revenue/", views_revenue.scheme_list, name="revenue_list"),
    path("revenue/new/", views_revenue.scheme_create, name="revenue_create"),
    path("revenue/totals/", views_revenue.totals, name="revenue_totals"),
    path("revenue/totals.xlsx", views_revenue.totals_export, name="revenue_totals_export"),
    path("revenue/mine/", views_revenue.mine, name="revenue_mine"),
    path("revenue/statements/<str:code>.pdf", views_revenue.statement, name="revenue_statement"),
    path(
        "revenue/jobs/<str:code>.pdf",
        views_revenue.statements_download,
        name="revenue_statements_download",
    ),
    path("revenue/years/<str:code>/", views_revenue.year_detail, name="revenue_year"),
    path(
        "revenue/corrections/<str:code>/document",
        views_revenue.correction_document,
        name="revenue_correction_document",
    ),
    path("revenue/<str:code>/", views_revenue.scheme_detail, name="revenue_detail"),
    path("funds/", views_funds.fund_list, name="fund_list"),
    path("funds/<str:code>/", views_funds.fund_detail, name="fund_detail"),
]

urlpatterns += [
    path("studios/", views_studios.studio_list, name="studio_list"),
    path("studios/new/", views_studios.studio_create, name="studio_create"),
    path("studios/<str:code>/", views_studios.studio_detail, name="studio_detail"),
    path(
        "studios/<str:code>/files/", views_studio_files.year_file_upload, name="studio_file_upload"
    ),
    path(
        "studios/<str:code>/files/<int:year>/<str:kind>.pdf",
        views_studio_files.year_file_open,
        name="studio_file",
    ),
    path("alliances/", views_studios.alliance_list, name="alliance_list"),
    path("alliances/<str:code>/", views_studios.alliance_detail, name="alliance_detail"),
]

# documents and photos of results; the technical exchange (技术交流)
from . import views_exchange, views_files  # noqa: E402

urlpatterns += [
    path("results/<str:code>/files/", views_files.result_file_add, name="result_file_add"),
    path("results/<str:code>/files/<str:file>/", views_files.result_file_open, name="result_file"),
    path(
        "results/<str:code>/files/<str:file>/remove/",
        views_files.result_file_remove,
        name="result_file_remove",
    ),
    path(
        "showcase/<str:code>/files/<str:file>/",
        views_files.showcase_file_open,
        name="showcase_file",
    ),
    path("exchange/", views_exchange.question_list, name="exchange"),
    path("exchange/ask/", views_exchange.question_ask, name="exchange_ask"),
    path("exchange/reports/", views_exchange.report_list, name="exchange_reports"),
    path("exchange/methods/", views_exchange.method_list, name="exchange_methods"),
    path("exchange/methods/<str:code>/", views_exchange.method_detail, name="exchange_method"),
    path("exchange/q/<str:code>/", views_exchange.question_detail, name="exchange_question"),
    path("exchange/q/<str:code>/act/", views_exchange.post_act, name="exchange_act"),
]
