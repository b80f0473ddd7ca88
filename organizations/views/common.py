"""What the organizations views share."""

from branchlife.views import get_for_user

from ..models import Organization


def branch_for(request, pk, perm: str) -> Organization:
    """The branch `pk` if the user holds `perm` on it (404 otherwise, as get_for_user decides)."""
    return get_for_user(request.user, perm, Organization, pk=pk, level=Organization.Level.BRANCH)
