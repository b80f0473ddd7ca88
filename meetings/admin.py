from django.contrib import admin

from branchlife.permissions import branches_visible_to

from .models import Forum, Meeting, Opinion, SelfReview, StudySession, Talk


class MeetingScopedAdmin(admin.ModelAdmin):
    """Officers use the admin too: only meetings of branches they may see."""

    meeting_path = "meeting__branch__in"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(**{self.meeting_path: branches_visible_to(request.user)})


@admin.register(Meeting)
class MeetingAdmin(MeetingScopedAdmin):
    meeting_path = "branch__in"
    list_display = ["branch", "year", "kind", "theme", "held_on", "place", "closed_at"]
    list_filter = ["kind", "year"]
    search_fields = ["branch__name", "theme", "place"]
    list_select_related = ["branch"]
    raw_id_fields = ["branch"]
    filter_horizontal = ["supervisors", "recorders"]
    readonly_fields = ["public_token"]


@admin.register(StudySession)
class StudySessionAdmin(MeetingScopedAdmin):
    list_display = ["meeting", "held_on", "topic"]
    raw_id_fields = ["meeting"]
    filter_horizontal = ["attendees"]


@admin.register(Opinion)
class OpinionAdmin(MeetingScopedAdmin):
    # No author columns: the admin is no back door around anonymity (anonymous rows have none anyway).
    list_display = ["meeting", "received_on", "channel", "target_kind", "status"]
    list_filter = ["channel", "status", "category"]
    search_fields = ["text"]
    raw_id_fields = ["meeting", "target_member", "author_member", "answered_by", "merged_into", "forum"]
    exclude = ["author_member", "author_label"]


@admin.register(Forum)
class ForumAdmin(MeetingScopedAdmin):
    list_display = ["meeting", "held_on", "topic", "member_participants", "other_participants"]
    search_fields = ["topic", "place"]
    raw_id_fields = ["meeting"]
    filter_horizontal = ["supervisors"]


@admin.register(Talk)
class TalkAdmin(MeetingScopedAdmin):
    list_display = ["meeting", "held_on", "member_a", "member_b", "other_kind"]
    raw_id_fields = ["meeting", "member_a", "member_b", "recorded_by"]
    exclude = ["summary"]


@admin.register(SelfReview)
class SelfReviewAdmin(MeetingScopedAdmin):
    list_display = ["meeting", "kind", "member", "status", "submitted_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["meeting", "member"]
