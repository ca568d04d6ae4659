from django.urls import path

from . import views, views_awards

app_name = "innovation"

urlpatterns = [
    path("", views.result_list, name="result_list"),
    path("results.xlsx", views.result_export, name="result_export"),
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
