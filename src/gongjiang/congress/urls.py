from django.urls import path

from . import views, views_affairs, views_documents, views_proposals, views_setup

app_name = "congress"

urlpatterns = [
    path("", views.index, name="index"),
    path("terms/new/", views_setup.term_create, name="term_create"),
    path("terms/<str:code>/", views.term_detail, name="term_detail"),
    path("terms/<str:code>/sessions/new/", views_setup.session_create, name="session_create"),
    path("departments/", views_setup.department_list, name="department_list"),
    path("departments/<str:code>/act/", views_setup.department_act, name="department_act"),
    path("rules/<str:code>/", views_setup.rules_edit, name="rules_edit"),
    path("terms/<str:code>/finalise/", views.term_finalise, name="term_finalise"),
    path("delegates/<str:code>/replace/", views.delegate_replace, name="delegate_replace"),
    path("sessions/<str:code>/", views.session_detail, name="session_detail"),
    path("sessions/<str:code>/checkin/", views.checkin, name="checkin"),
    path("sessions/<str:code>/act/", views.session_act, name="session_act"),
    path("votes/<str:code>/ballot/", views.ballot, name="ballot"),
    path(
        "votes/<str:code>/resolution/",
        views_documents.resolution_confirm,
        name="resolution_confirm",
    ),
    path(
        "agenda/<str:code>/documents/",
        views_documents.agenda_document_add,
        name="agenda_document_add",
    ),
    path(
        "documents/<str:code>/",
        views_documents.agenda_document_download,
        name="agenda_document",
    ),
    path("proposals/", views_proposals.proposal_list, name="proposal_list"),
    path("proposals/new/", views_proposals.proposal_create, name="proposal_create"),
    path("proposals/rates/", views_proposals.rates_view, name="rates"),
    path("proposals/summary.xlsx", views_proposals.export_summary, name="export_summary"),
    path("proposals/handling.xlsx", views_proposals.export_handling, name="export_handling"),
    path("proposals/<str:code>/", views_proposals.proposal_detail, name="proposal_detail"),
    path("proposals/<str:code>/act/", views_proposals.proposal_act, name="proposal_act"),
    path("suggestions/", views_affairs.suggestion_list, name="suggestion_list"),
    path("suggestions/new/", views_affairs.suggestion_create, name="suggestion_create"),
    path("suggestions/<str:code>/", views_affairs.suggestion_detail, name="suggestion_detail"),
    path("suggestions/<str:code>/act/", views_affairs.suggestion_act, name="suggestion_act"),
    path("notices/", views_affairs.notice_list, name="notice_list"),
    path("notices/new/", views_affairs.notice_create, name="notice_create"),
    path("notices/<str:code>/", views_affairs.notice_detail, name="notice_detail"),
]
