"""The learning system, mounted from its sub-packages: pages at /learning/ (``urlpatterns``) and the
JSON API at /api/v1/learning/ (``router``, picked up by ``gongjiang.api``)."""

from django.urls import path
from ninja import Router

from .bank import import_api, views
from .bank.api import router as bank_router
from .courses import views as views_courses
from .courses.api import router as courses_router
from .exams import views as views_exam
from .exams.api import router as exam_router
from .practice import views as views_practice
from .statistics import calibration_views as views_calibration
from .statistics import views as views_stats
from .statistics.api import router as stats_router
from .statistics.calibration_api import router as calibration_router

router = Router()
for _router in (
    bank_router,
    exam_router,
    import_api.router,
    stats_router,
    calibration_router,
    courses_router,
):
    router.add_router("", _router)

app_name = "learning"

urlpatterns = [
    path("", views_exam.home, name="home"),
    path("questions/", views.question_list, name="question_list"),
    path("questions/new/", views.question_create, name="question_create"),
    path("questions/import/", views.question_import, name="question_import"),
    path(
        "questions/import/<str:code>/", views.question_import_review, name="question_import_review"
    ),
    path("questions/<str:code>/", views.question_detail, name="question_detail"),
    path("questions/<str:code>/edit/", views.question_edit, name="question_edit"),
    path(
        "questions/<str:code>/correct-key/", views.question_correct_key, name="question_correct_key"
    ),
    path("calibration/", views_calibration.calibration_home, name="calibration"),
    path(
        "calibration/jobs/<str:code>/",
        views_calibration.calibration_job,
        name="calibration_job",
    ),
    path("papers/", views.paper_list, name="paper_list"),
    path("papers/new/", views.paper_create, name="paper_create"),
    path("papers/<str:code>/", views.paper_detail, name="paper_detail"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<str:code>/", views.session_detail, name="session_detail"),
    path("sessions/<str:code>/regrade/", views.session_regrade, name="session_regrade"),
    path(
        "sessions/<str:code>/statistics/",
        views_stats.session_statistics,
        name="session_statistics",
    ),
    path("statistics/bank/", views_stats.bank_statistics, name="bank_statistics"),
    path("exams/", views_exam.exam_list, name="exam_list"),
    path("exams/<str:code>/", views_exam.exam_start, name="exam_start"),
    path("attempts/<str:code>/", views_exam.attempt_take, name="attempt_take"),
    path("attempts/<str:code>/submit/", views_exam.attempt_submit, name="attempt_submit"),
    path("attempts/<str:code>/result/", views_exam.attempt_result_page, name="attempt_result"),
    path("marking/", views_exam.marking_queue, name="marking_queue"),
    path("marking/<str:code>/", views_exam.marking_item, name="marking_item"),
    path("practice/", views_practice.practice_home, name="practice_home"),
    path("practice/question/", views_practice.practice_question, name="practice_question"),
    path("practice/wrong-book/", views_practice.wrong_book, name="wrong_book"),
    path("practice/leaderboard/<str:code>/", views_practice.leaderboard, name="leaderboard"),
    path("practice/mock/<str:code>/", views_practice.mock_start, name="mock_start"),
    path("courses/", views_courses.course_list, name="course_list"),
    path("courses/new/", views_courses.course_create, name="course_create"),
    path("courses/<str:code>/", views_courses.course_detail, name="course_detail"),
    path("courses/<str:code>/enrol/", views_courses.course_enrol, name="course_enrol"),
    path("courses/<str:code>/assign/", views_courses.course_assign, name="course_assign"),
    path("courses/<str:code>/lessons/new/", views_courses.lesson_create, name="lesson_create"),
    path("lessons/<str:code>/", views_courses.lesson_detail, name="lesson_detail"),
    path("lessons/<str:code>/file/", views_courses.lesson_file, name="lesson_file"),
    path("lessons/<str:code>/complete/", views_courses.lesson_complete, name="lesson_complete"),
]
