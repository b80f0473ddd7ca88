"""Small helpers every app's views share: object access through the permission module, list paging."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404


def get_for_user(user, perm: str, queryset_or_model, **lookup):
    """Fetch an object or 404; then 403 unless the permission module allows `perm` on it."""
    obj = get_object_or_404(queryset_or_model, **lookup)
    if not user.has_perm(perm, obj):
        raise PermissionDenied
    return obj


def apply_validation_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where the form has that field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def int_or_none(value) -> int | None:
    """A primary key from a GET/POST value, or None: "²" passes str.isdigit() but not int(), and SQLite
    raises OverflowError past a 64-bit integer."""
    value = str(value if value is not None else "").strip()
    if not (value.isascii() and value.isdecimal()) or len(value) > 18:
        return None
    return int(value)


def search_text(request) -> str:
    """The list pages' ?q=, without the NUL characters PostgreSQL refuses in a query (a 500 otherwise)."""
    return request.GET.get("q", "").replace("\x00", "").strip()


def paginate(request, queryset, per_page: int = 30):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
