from django.urls import path

from . import views, views_answer, views_results

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("mine/", views_answer.mine, name="mine"),
    path("a/<str:token>/", views_answer.answer_by_link, name="answer_by_link"),
    path("<str:code>/", views.survey_detail, name="detail"),
    path("<str:code>/questions/", views.question_add, name="question_add"),
    path("<str:code>/questions/<str:key>/", views.question_change, name="question_change"),
    path("<str:code>/act/<str:act>/", views.survey_act, name="act"),
    path("<str:code>/distribute/", views.survey_distribute, name="distribute"),
    path("<str:code>/links/<str:job>/", views.survey_links, name="links"),
    path("<str:code>/reissue/", views.survey_link_reissue, name="reissue"),
    path("<str:code>/reissue/list/", views.survey_link_reissue_bulk, name="reissue_bulk"),
    path("<str:code>/relinks/<str:job>/", views.survey_relinks, name="relinks"),
    path("<str:code>/answer/", views_answer.answer, name="answer"),
    path("<str:code>/results/", views_results.results, name="results"),
    path("<str:code>/texts/<str:key>/", views_results.texts, name="texts"),
    path("<str:code>/answers.xlsx", views_results.export_xlsx, name="export_xlsx"),
    path("<str:code>/answers.csv", views_results.export_csv, name="export_csv"),
]
