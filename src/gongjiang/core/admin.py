"""Django admin (superusers only) for the few core tables edited by hand."""

from __future__ import annotations

from django.contrib import admin

from .notices.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "working")
    list_filter = ("working",)
    search_fields = ("name",)
    date_hierarchy = "date"
