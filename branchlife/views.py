"""Small helpers every app's views share: object access through the permission module, list paging."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404


def get_for_user(user, perm: str, queryset_or_model, **lookup):
    """Fetch an object or 404; then 403 unless the permission module allows `perm` on it."""
    obj = get_object_or_404(queryset_or_model, **lookup)
    if not user.has_perm(perm, obj):
        raise PermissionDenied
    return obj


def paginate(request, queryset, per_page: int = 30):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
