from django.urls import path

from . import views

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
