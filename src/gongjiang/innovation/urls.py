from django.urls import path

from . import views, views_awards, views_revenue, views_studios

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
    path("revenue/<str:code>/", views_revenue.scheme_detail, name="revenue_detail"),
]

urlpatterns += [
    path("studios/", views_studios.studio_list, name="studio_list"),
    path("studios/new/", views_studios.studio_create, name="studio_create"),
    path("studios/<str:code>/", views_studios.studio_detail, name="studio_detail"),
    path("alliances/", views_studios.alliance_list, name="alliance_list"),
    path("alliances/<str:code>/", views_studios.alliance_detail, name="alliance_detail"),
]
