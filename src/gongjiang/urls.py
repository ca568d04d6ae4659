import importlib

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from .api import api
from .core import views as core_views
from .core.favicon import favicon
from .learning.exams.api import answer_save_view

urlpatterns = [
    # the exam answer save's fast path, ahead of the API it falls back to (learning/exams/api.py)
    path(
        "api/v1/learning/attempts/<str:code>/answers/<int:position>",
        answer_save_view,
        name="learning-answer-save",
    ),
    path("api/v1/", api.urls),
    path("favicon.ico", favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("", include("gongjiang.core.urls")),
]

for app in settings.GONGJIANG_APPS:
    try:
        importlib.import_module(f"gongjiang.{app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"gongjiang.{app}.urls":
            raise
        continue
    urlpatterns.append(path(f"{app}/", include(f"gongjiang.{app}.urls")))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = core_views.error_403
handler404 = core_views.error_404
handler500 = core_views.error_500
