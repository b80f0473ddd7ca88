from django.contrib import admin

from .models import Evidence, FollowUpReview, ItemHistory, ItemProgress, PrintJob, Problem, RectificationItem


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are only ever appended by the services: visible, never changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryInline(admin.TabularInline):
    model = ItemHistory
    fields = ["at", "actor_name", "action", "detail"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["text", "member", "meeting", "source_kind", "merged_into"]
    list_filter = ["source_kind"]
    search_fields = ["text", "member__name"]
    list_select_related = ["member", "meeting__branch", "merged_into"]
    raw_id_fields = ["meeting", "member", "merged_into"]


@admin.register(RectificationItem)
class RectificationItemAdmin(ReadOnlyAdmin):
    # Status changes must go through the services so that the history records them.
    list_display = ["title", "branch", "responsible", "deadline", "status"]
    list_filter = ["status"]
    search_fields = ["title", "responsible__name"]
    list_select_related = ["branch", "responsible"]
    inlines = [HistoryInline]


@admin.register(ItemHistory)
class ItemHistoryAdmin(ReadOnlyAdmin):
    list_display = ["at", "item", "actor_name", "action"]
    list_filter = ["action"]
    search_fields = ["item__title", "actor_name", "detail"]
    list_select_related = ["item"]


@admin.register(ItemProgress)
class ItemProgressAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "item", "author_name"]
    list_select_related = ["item"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    # Only metadata: the files are served by the permission-checked download view, never by a URL here.
    list_display = ["original_name", "content_type", "size", "progress"]
    fields = ["original_name", "content_type", "size", "progress"]


@admin.register(FollowUpReview)
class FollowUpReviewAdmin(ReadOnlyAdmin):
    list_display = ["item", "reviewed_on", "result"]


@admin.register(PrintJob)
class PrintJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "organization", "status", "done", "total", "pages"]
    list_filter = ["status", "kind"]
    exclude = ["result"]
