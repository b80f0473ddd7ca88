from django.contrib import admin

from .models import (
    BranchChannels,
    Notification,
    NotificationPreference,
    ReminderDelivery,
    ReminderDispatch,
    RobotPost,
    SmsMonth,
)


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
    list_display = ["user", "email_enabled", "sms_enabled", "updated_at"]
    raw_id_fields = ["user"]


@admin.register(BranchChannels)
class BranchChannelsAdmin(admin.ModelAdmin):
    list_display = ["branch", "sms_monthly_budget", "updated_at"]
    search_fields = ["branch__name"]
    raw_id_fields = ["branch"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """The record of what was spent and posted: counted by the conditional updates, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SmsMonth)
class SmsMonthAdmin(ReadOnlyAdmin):
    list_display = ["branch", "month", "sent", "spent_notified_at"]
    list_filter = ["month"]
    list_select_related = ["branch"]


@admin.register(RobotPost)
class RobotPostAdmin(ReadOnlyAdmin):
    list_display = ["title", "branch", "channel", "status", "attempts", "updated_at", "error"]
    list_filter = ["channel", "status", "kind"]
    list_select_related = ["branch"]
