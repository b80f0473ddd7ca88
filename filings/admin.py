from django.contrib import admin

from .models import Filing, FilingEvent, ReviewRule


class FilingEventInline(admin.TabularInline):
    model = FilingEvent
    extra = 0
    can_delete = False
    fields = ("action", "actor_name", "at", "reason")
    readonly_fields = fields


@admin.register(Filing)
class FilingAdmin(admin.ModelAdmin):
    """Read-only: the history is the record of what was sent and decided; changes go through the pages."""

    list_display = ("meeting", "kind", "state", "reviewer", "submitted_at", "reviewed_at")
    list_filter = ("kind", "state")
    search_fields = ("branch__name",)
    inlines = [FilingEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReviewRule)
class ReviewRuleAdmin(admin.ModelAdmin):
    list_display = ("organization", "level")
