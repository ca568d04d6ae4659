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
