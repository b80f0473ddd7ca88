from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from branchlife.permissions import members_visible_to, organizations_visible_to

from .models import Member, Officer, Organization, Supervisor


class ScopedAdminMixin:
    """Officers use the admin too: they see only their own subtree, as everywhere else."""

    def get_queryset(self, request):
        return self.scope(request.user, super().get_queryset(request))


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, TreeAdmin):
    form = movenodeform_factory(Organization)
    list_display = ["name", "level"]
    list_filter = ["level"]
    search_fields = ["name"]

    @staticmethod
    def scope(user, qs):
        return qs.filter(pk__in=organizations_visible_to(user))


@admin.register(Member)
class MemberAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "branch", "sex", "education", "category", "in_service", "committee_post", "is_active"]
    list_filter = ["category", "in_service", "is_mobile", "committee_post", "is_active"]
    search_fields = ["name", "phone", "branch__name"]
    list_select_related = ["branch"]
    raw_id_fields = ["user", "branch", "party_group"]

    @staticmethod
    def scope(user, qs):
        return qs.filter(pk__in=members_visible_to(user))


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "title"]
    raw_id_fields = ["user", "organization"]


@admin.register(Supervisor)
class SupervisorAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organization"]
    filter_horizontal = ["branches"]
