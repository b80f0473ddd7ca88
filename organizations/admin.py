from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Member, Officer, Organization, Supervisor


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin):
    form = movenodeform_factory(Organization)
    list_display = ["name", "level"]
    list_filter = ["level"]
    search_fields = ["name"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "sex", "education", "category", "in_service", "committee_post", "is_active"]
    list_filter = ["category", "in_service", "is_mobile", "committee_post", "is_active"]
    search_fields = ["name", "phone", "branch__name"]
    list_select_related = ["branch"]
    raw_id_fields = ["user", "branch", "party_group"]


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "title"]
    raw_id_fields = ["user", "organization"]


@admin.register(Supervisor)
class SupervisorAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organization"]
    filter_horizontal = ["branches"]
