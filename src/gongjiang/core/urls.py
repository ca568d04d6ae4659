from django.contrib.auth import views as auth_views
from django.urls import path

from . import pickers, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
        name="password_change_done",
    ),
    path("organizations/", views.organization_tree, name="organization_tree"),
    path("organizations/table/", views.organization_list, name="organization_list"),
    path("organizations/<slug:code>/", views.organization_detail, name="organization_detail"),
    path(
        "organizations/<slug:code>/children/",
        views.organization_children,
        name="organization_children",
    ),
    path("organizations/<slug:code>/new/", views.organization_create, name="organization_create"),
    path("organizations/<slug:code>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<slug:code>/move/", views.organization_move, name="organization_move"),
    path(
        "organizations/<slug:code>/active/",
        views.organization_set_active,
        name="organization_set_active",
    ),
    path(
        "organizations/<slug:code>/import/", views.organization_import, name="organization_import"
    ),
    path("jobs/<slug:code>/", views.job_detail, name="job_detail"),
    path("pick/<slug:kind>/", pickers.pick, name="pick"),
    path("people/", views.membership_list, name="membership_list"),
    path("people/new/", views.membership_create, name="membership_create"),
    path("people/<slug:code>/revoke/", views.membership_revoke, name="membership_revoke"),
    path("audit/", views.audit_list, name="audit_list"),
    path("reference/", views.reference_index, name="reference_index"),
    path("reference/<str:kind>/", views.reference_list, name="reference_list"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<slug:code>/revoke/", views.token_revoke, name="token_revoke"),
]
