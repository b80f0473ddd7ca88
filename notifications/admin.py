from django.contrib import admin

from .models import Notification, NotificationPreference, ReminderDelivery, ReminderDispatch


class ReminderDispatchInline(admin.TabularInline):
    model = ReminderDispatch
    extra = 0
    can_delete = False
    readonly_fields = ["channel", "status", "attempts", "updated_at", "error"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    """Read-only: the rows are the record of what was sent; editing them would defeat "at most once"."""

    list_display = ["kind", "recipient", "due_date", "status", "created_at", "queued_at", "not_before", "finished_at"]
    list_filter = ["status", "kind", "due_date"]
    search_fields = ["title", "recipient__username"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    inlines = [ReminderDispatchInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "delivery"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled", "updated_at"]
    raw_id_fields = ["user"]
