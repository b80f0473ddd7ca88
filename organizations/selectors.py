from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy

from branchlife.permissions import branches_visible_to, organizations_visible_to

from .models import Member, Organization, Supervisor


@dataclass(frozen=True)
class BranchFacts:
    """A branch's basic facts as seed 002 reports them upward."""

    total: int
    full: int
    probationary: int
    in_service: int
    retired: int
    female: int
    male: int
    mobile: int
    by_education: dict[str, int]
    committee: list[Member]

    @property
    def education_present(self) -> list[tuple[str, int]]:
        """The education levels somebody has: a sentence joined over all of them left "专科学历 3 人,。"."""
        return [(label, n) for label, n in self.by_education.items() if n]


def branch_facts(*, branch: Organization) -> BranchFacts:
    active = Q(members__is_active=True)
    edu_counts = {
        f"edu_{value}": Count("members", filter=active & Q(members__education=value))
        for value in Member.Education.values
    }
    row = (
        Organization.objects.filter(pk=branch.pk)
        .aggregate(
            total=Count("members", filter=active),
            full=Count("members", filter=active & Q(members__category=Member.Category.FULL)),
            probationary=Count("members", filter=active & Q(members__category=Member.Category.PROBATIONARY)),
            in_service=Count("members", filter=active & Q(members__in_service=True)),
            female=Count("members", filter=active & Q(members__sex=Member.Sex.FEMALE)),
            mobile=Count("members", filter=active & Q(members__is_mobile=True)),
            **edu_counts,
        )
    )
    post_order = {post: i for i, post in enumerate(Member.COMMITTEE_POSTS)}
    committee = sorted(
        branch.members.filter(is_active=True, committee_post__in=Member.COMMITTEE_POSTS),
        key=lambda m: (post_order[m.committee_post], m.name),
    )
    return BranchFacts(
        total=row["total"],
        full=row["full"],
        probationary=row["probationary"],
        in_service=row["in_service"],
        retired=row["total"] - row["in_service"],
        female=row["female"],
        male=row["total"] - row["female"],
        mobile=row["mobile"],
        by_education={label: row[f"edu_{value}"] for value, label in Member.Education.choices},
        committee=committee,
    )


def member_list(*, branch: Organization, search: str = "", filters: dict | None = None) -> QuerySet[Member]:
    qs = branch.members.filter(is_active=True).select_related("party_group")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(phone__icontains=search))
    for key, value in (filters or {}).items():
        if value not in ("", None):
            qs = qs.filter(**{key: value})
    return qs.order_by("name", "id")


MEMBER_IDS_NAMED_MAX = 200


def member_ids_named(*, branch: Organization, text: str) -> tuple[int, ...]:
    """The branch's members (on the roll or not: items, talks and opinions outlive a transfer) whose name
    contains `text`, or the one whose id it is (links made when the filters were dropdowns). One query, at
    most MEMBER_IDS_NAMED_MAX ids. Every "filter by member" box of a list uses it (issue 23 item 5): the
    ledger's 责任人, the talks' 党员, the opinions' 针对 and 认领人."""
    match = Q(name__icontains=text)
    if text.isascii() and text.isdigit() and len(text) < 19:
        match |= Q(pk=int(text))
    return tuple(Member.objects.filter(match, branch=branch).values_list("pk", flat=True)[:MEMBER_IDS_NAMED_MAX])


def member_name_naming_only(*, branch: Organization, text: str) -> str | None:
    """For a member's id (what links carry), that member's name when typing it would find them alone
    (member_ids_named); None otherwise, so that a box shows a name only where it filters the same."""
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        return None
    name = Member.objects.filter(branch=branch, pk=int(text)).values_list("name", flat=True).first()
    if name and member_ids_named(branch=branch, text=name) == (int(text),):
        return name
    return None


def supervisors_in_reach(*, branches) -> QuerySet[Supervisor]:
    """督导 who may be named on a meeting of one of these branches: those assigned to it, and those whose own
    organization is the branch or one above it (a county's supervisor for the county's branches). Anyone
    else named on a meeting would be shown that branch's meeting, opinions and record."""
    branches = list(branches)
    steplen = Organization.steplen
    own_or_above = {b.path[:end] for b in branches for end in range(steplen, len(b.path) + 1, steplen)}
    condition = Q(organization__path__in=own_or_above) | Q(branches__in=[b.pk for b in branches])
    return Supervisor.objects.filter(pk__in=Supervisor.objects.filter(condition).values("pk")).order_by("name", "pk")


def branch_list(*, user, within: Organization | None = None, search: str = "") -> QuerySet[Organization]:
    """Branches the user may see, under `within` when given, with their active member counts."""
    qs = branches_visible_to(user)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    if search:
        qs = qs.filter(name__icontains=search)
    return qs.annotate(member_count=Count("members", filter=Q(members__is_active=True))).order_by("path")


def child_organizations(*, user, parent: Organization) -> QuerySet[Organization]:
    """The direct children of a node that the user may see (subtree_counts gives their figures)."""
    return organizations_visible_to(user).filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("path")


def subtree_counts(*, parent: Organization) -> dict[str, dict[str, int]]:
    """Branches and active members below each child of `parent`, keyed by the child's path.

    Two grouped queries whatever the number of children: a child's subtree is the set of paths that
    start with the child's path, so grouping by that prefix counts every subtree at once.
    """
    width = len(parent.path) + Organization.steplen
    members = (
        Member.objects.filter(is_active=True, branch__path__startswith=parent.path, branch__depth__gt=parent.depth)
        .annotate(prefix=Substr("branch__path", 1, width))
        .order_by()  # the models' default ordering would otherwise split the groups
        .values("prefix")
        .annotate(n=Count("id"))
    )
    branches = (
        Organization.objects.filter(level=Organization.Level.BRANCH, path__startswith=parent.path, depth__gt=parent.depth)
        .annotate(prefix=Substr("path", 1, width))
        .order_by()  # the models' default ordering would otherwise split the groups
        .values("prefix")
        .annotate(n=Count("id"))
    )
    counts: dict[str, dict[str, int]] = {}
    for row in members:
        counts.setdefault(row["prefix"], {"branches": 0, "members": 0})["members"] = row["n"]
    for row in branches:
        counts.setdefault(row["prefix"], {"branches": 0, "members": 0})["branches"] = row["n"]
    return counts


# ---------------------------------------------------------------- accounts
ACCOUNT_STATUSES = {
    "none": gettext_lazy("未开通"),
    "pending": gettext_lazy("待激活"),
    "expired": gettext_lazy("激活码已失效"),
    "active": gettext_lazy("已激活"),
    "disabled": gettext_lazy("已停用"),
}


def account_status_expression():
    """One word for where a member's login stands, computed in the database (filterable, one query)."""
    from django.utils import timezone

    from .models import ActivationCode

    live_code = ActivationCode.objects.filter(
        user=OuterRef("user"), used_at=None, revoked_at=None, expires_at__gt=timezone.now()
    )
    return Case(
        When(user=None, then=Value("none")),
        When(user__is_active=False, then=Value("disabled")),
        When(~Q(user__password__startswith="!"), then=Value("active")),
        When(Exists(live_code), then=Value("pending")),
        default=Value("expired"),
        output_field=CharField(),
    )


def branch_accounts(*, branch: Organization, search: str = "", status: str = "") -> QuerySet[Member]:
    """The branch's roster with each member's login: status, username, last login (one query)."""
    qs = (
        member_list(branch=branch, search=search)
        .select_related("user")
        .annotate(account_status=account_status_expression())
    )
    if status in ACCOUNT_STATUSES:
        qs = qs.filter(account_status=status)
    return qs


def account_counts(*, branch: Organization) -> dict[str, int]:
    rows = (
        branch.members.filter(is_active=True)
        .annotate(account_status=account_status_expression())
        .values("account_status")
        .annotate(n=Count("pk"))
    )
    counts = {key: 0 for key in ACCOUNT_STATUSES}
    counts.update({row["account_status"]: row["n"] for row in rows})
    return counts
