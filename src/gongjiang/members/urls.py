from django.urls import path

from . import (
    views_activities,
    views_campaigns,
    views_help,
    views_home,
    views_library,
    views_library_manage,
    views_news,
    views_stations,
)

app_name = "members"

urlpatterns = [
    path("", views_home.home, name="home"),
    path("manifest.webmanifest", views_home.manifest, name="manifest"),
    path("sw.js", views_home.service_worker, name="service_worker"),
    path("offline/", views_home.offline, name="offline"),
    path("notifications/", views_home.notification_list, name="notifications"),
    path("notifications/read/", views_home.notifications_read, name="notifications_read"),
    path("stations/", views_stations.station_list, name="station_list"),
    path("stations/manage/", views_stations.station_manage, name="station_manage"),
    path("stations/import/", views_stations.station_import, name="station_import"),
    path("stations/<str:code>/", views_stations.station_detail, name="station_detail"),
    path("stations/<str:code>/qr.svg", views_stations.station_qr, name="station_qr"),
    path(
        "stations/<str:code>/checkin/<str:token>/",
        views_stations.station_checkin,
        name="station_checkin",
    ),
    path("feedback/<str:code>/resolve/", views_stations.feedback_resolve, name="feedback_resolve"),
    path("activities/", views_activities.activity_list, name="activity_list"),
    path("activities/manage/", views_activities.activity_manage, name="activity_manage"),
    path("activities/<str:code>/", views_activities.activity_detail, name="activity_detail"),
    path("activities/<str:code>/signup/", views_activities.activity_signup, name="activity_signup"),
    path(
        "activities/<str:code>/feedback/",
        views_activities.activity_feedback,
        name="activity_feedback",
    ),
    path(
        "activities/<str:code>/photos/",
        views_activities.activity_photo_add,
        name="activity_photo_add",
    ),
    path(
        "activities/<str:code>/photos/<str:photo>.jpg",
        views_activities.activity_photo,
        name="activity_photo",
    ),
    path(
        "activities/<str:code>/photos/<str:photo>/remove/",
        views_activities.activity_photo_remove,
        name="activity_photo_remove",
    ),
    path("activities/<str:code>/qr.svg", views_activities.activity_qr, name="activity_qr"),
    path(
        "activities/<str:code>/checkin/<str:token>/",
        views_activities.activity_checkin,
        name="activity_checkin",
    ),
    path("campaigns/", views_campaigns.campaign_list, name="campaign_list"),
    path("campaigns/manage/", views_campaigns.campaign_manage, name="campaign_manage"),
    path("campaigns/<str:code>/", views_campaigns.campaign_detail, name="campaign_detail"),
    path(
        "campaigns/<str:code>/results/", views_campaigns.campaign_results, name="campaign_results"
    ),
    path("news/", views_news.news_list, name="news_list"),
    path("news/manage/", views_news.news_manage, name="news_manage"),
    path("news/<str:code>/", views_news.news_detail, name="news_detail"),
    path("news/<str:code>/images/", views_news.news_image_add, name="news_image_add"),
    path("news/<str:code>/images/<str:image>/", views_news.news_image, name="news_image"),
    path(
        "news/<str:code>/images/<str:image>/remove/",
        views_news.news_image_remove,
        name="news_image_remove",
    ),
    path("help/", views_help.help_list, name="help_list"),
    path("help/desk/", views_help.help_desk, name="help_desk"),
    path("help/<str:code>/", views_help.help_detail, name="help_detail"),
    # e-library
    path("library/", views_library.library_home, name="library"),
    path("library/manage/", views_library_manage.library_manage, name="library_manage"),
    path(
        "library/manage/<str:code>/",
        views_library_manage.library_book_act,
        name="library_book_act",
    ),
    path(
        "library/manage/<str:code>/history/",
        views_library_manage.library_book_history,
        name="library_book_history",
    ),
    path("library/lists/", views_library_manage.library_lists, name="library_lists"),
    path("library/stats/", views_library_manage.library_stats, name="library_stats"),
    path("library/lists/<str:code>/", views_library.reading_list_detail, name="reading_list"),
    path("library/<str:code>/", views_library.book_detail, name="book_detail"),
    path("library/<str:code>/borrow/", views_library.book_borrow, name="book_borrow"),
    path("library/<str:code>/return/", views_library.book_return, name="book_return"),
    path("library/<str:code>/read/", views_library.book_read, name="book_read"),
    path("library/<str:code>/progress/", views_library.book_progress, name="book_progress"),
    path("library/<str:code>/cover/", views_library.book_cover, name="book_cover"),
    path("library/<str:code>/page/<int:number>.png", views_library.book_page, name="book_page"),
    path("library/<str:code>/res/<path:path>", views_library.book_resource, name="book_resource"),
]
