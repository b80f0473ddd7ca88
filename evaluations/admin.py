from django.contrib import admin

from branchlife.permissions import branches_visible_to

from .models import Evaluation

# Ballots, marks and the participation record are deliberately not in the admin: the admin's change log
# would timestamp every row it touches, and nobody should browse ballots one by one. Evaluations are
# read-only here: their rules (frozen settings once voting starts, the seal) live in services.


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["meeting", "opens_at", "closes_at", "sealed_at", "determined_at", "published_at"]
    list_select_related = ["meeting__branch"]
    search_fields = ["meeting__branch__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(meeting__branch__in=branches_visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
