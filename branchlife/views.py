"""Small helpers every app's views share: object access through the permission module, list paging."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from .forms import search_term
from .reads import CompiledGet


def get_for_user(user, perm: str, queryset_or_model, **lookup):
    """Fetch an object or 404; then 403 unless the permission module allows `perm` on it. A CompiledGet
    (branchlife.reads) stands for its queryset where a page is hot enough to keep the SQL compiled."""
    if isinstance(queryset_or_model, CompiledGet):
        obj = queryset_or_model.get_or_404(lookup["pk"])
    else:
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


def local_path(request, url) -> str | None:
    """`url` when it is a path on this site (a ?next= to follow), else None. A bare startswith("/") is not
    enough (browsers read "/\\evil.example" as "//evil.example"), and url_has_allowed_host_and_scheme alone
    passes "abc", which redirect() would look up as a URL name: NoReverseMatch, a 500."""
    url = url if isinstance(url, str) else ""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def search_text(request) -> str:
    """The list pages' ?q=, as a filter form's SearchField reads it (no NUL, capped in length)."""
    return search_term(request.GET.get("q", ""))


def paginate(request, queryset, per_page: int = 30):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
