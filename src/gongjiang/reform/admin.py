"""Django admin for configuration tables (milestone types); everything else goes through the pages."""

from django.contrib import admin

from .models import MilestoneType


@admin.register(MilestoneType)
class MilestoneTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "position", "is_active")
    list_editable = ("name", "position", "is_active")
    ordering = ("position",)
