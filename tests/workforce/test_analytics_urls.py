"""URL configuration for the analytics tests (no tests here).

Until workforce/api.py and workforce/urls.py mount the analytics router and pages, the tests mount
them here in front of the project's URLs, at the same paths production will use.
"""

from __future__ import annotations

from django.urls import Resolver404, include, path, resolve

from gongjiang import urls as project_urls

urlpatterns: list = []


def _resolves(url: str) -> bool:
    try:
        resolve(url, urlconf=project_urls)
        return True
    except Resolver404:
        return False


if not _resolves("/api/v1/workforce/analytics/x/summary"):
    from ninja import NinjaAPI

    from gongjiang.api import api as project_api
    from gongjiang.workforce.analytics.api import router

    test_api = NinjaAPI(
        urls_namespace="analytics_test_api",
        auth=project_api.auth,
        docs_url=None,
        openapi_url=None,
        parser=project_api.parser,
    )
    test_api._exception_handlers = dict(project_api._exception_handlers)
    test_api.add_router("/workforce/analytics/", router)
    urlpatterns.append(path("api/v1/", test_api.urls))

if not _resolves("/workforce/analytics/"):
    urlpatterns.append(path("workforce/analytics/", include("gongjiang.workforce.analytics.urls")))

urlpatterns += project_urls.urlpatterns
handler404 = project_urls.handler404
