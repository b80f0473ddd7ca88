"""Every permission decision in Branchlife lives here.

Views, exports, admin and tasks ask `user.has_perm("<app>.<action>", obj)` (django-rules) or use the
queryset scopes below (`branches_visible_to`). Nothing else looks at roles.

Who a user is comes from three records, any of which may be absent:
- `user.member`      a party member; committee posts give secretary / committee rights in their branch;
- `user.officer`     an organization-department officer, scoped to one node and its whole subtree;
- `user.supervisor`  a 督导, assigned to branches (and to meetings, by the meetings app).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.utils.functional import LazyObject, empty

from organizations.models import Member, Officer, Organization, Supervisor

from .reads import CompiledGet


@dataclass
class Actor:
    member: Member | None = None
    officer_org: Organization | None = None
    supervised_branch_ids: frozenset[int] = field(default_factory=frozenset)
    is_superuser: bool = False
    # Facts a predicate read from the database in this request, by (fact, pk): a page that asks "is this user
    # a supervisor named on this meeting?" for every link asks the database once (the actor lives as long as
    # the request's user object).
    memo: dict[tuple[str, object], bool] = field(default_factory=dict)

    def remembered(self, fact: str, pk, read) -> bool:
        key = (fact, pk)
        if key not in self.memo:
            self.memo[key] = read()
        return self.memo[key]


def actor_of(user) -> Actor:
    """Who this user is, looked up once per request (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return Actor()
    cached = getattr(user, "_branchlife_actor", None)
    if cached is not None:
        return cached
    # Issue 23: one query for the three roles, not three (a supervisor's branches are a second query, for
    # supervisors only). The three are put in the request user's relation cache, so that `user.officer` /
    # `user.supervisor` in templates and predicates cost nothing either.
    user_object = _unwrapped(user)
    member, officer, supervisor = roles_read(user_id=user.pk)
    for name, related in zip(ROLES, (member, officer, supervisor), strict=True):
        relation = user._meta.get_field(name)
        relation.set_cached_value(user, related)
        if related is not None:  # and its `.user` is the request's user
            relation.field.set_cached_value(related, user_object)
    actor = Actor(
        member=member if member is not None and member.is_active else None,
        officer_org=officer.organization if officer else None,
        supervised_branch_ids=frozenset(supervisor.branches.values_list("id", flat=True)) if supervisor else frozenset(),
        is_superuser=user.is_superuser,
    )
    user._branchlife_actor = actor
    return actor


def _unwrapped(user):
    """request.user is a lazy object (django_otp's around auth's), evaluated by the time roles are asked."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


# The roles' one query: the user's row with ROLE_JOINS select_related. Every page runs it, and the ORM spends
# more CPU compiling that five-table join than the database spends answering, so `roles_read` sends it
# compiled once per process (branchlife.reads.CompiledGet). tests/test_fixed_cost.py compares the two.
ROLE_JOINS = ("member__branch", "officer__organization", "supervisor")
ROLES = ("member", "officer", "supervisor")


def _with_roles():
    return get_user_model()._default_manager.select_related(*ROLE_JOINS)


_user_with_roles = CompiledGet(_with_roles)


def roles_read(*, user_id: int) -> tuple[Member | None, Officer | None, Supervisor | None]:
    """The user's member (with its branch), officer (with its node) and supervisor, each None if absent."""
    try:
        row = _user_with_roles.get(user_id)
    except ObjectDoesNotExist:
        return None, None, None
    return _roles(row)


def roles_read_orm(*, user_id: int) -> tuple[Member | None, Officer | None, Supervisor | None]:
    row = _with_roles().filter(pk=user_id).first()
    return (None, None, None) if row is None else _roles(row)


def _roles(row) -> tuple[Member | None, Officer | None, Supervisor | None]:
    return tuple(getattr(row, name) if _has_related(row, name) else None for name in ROLES)


def _has_related(user, name: str) -> bool:
    try:
        getattr(user, name)
    except ObjectDoesNotExist:  # RelatedObjectDoesNotExist
        return False
    return True


def branch_of(obj) -> Organization | None:
    """The branch an object belongs to, as its model states it (organizations.models.BranchOwned; a node is
    its own). An object that states nothing is a programming error, not a refusal: it raises AttributeError."""
    return None if obj is None else obj.owner_branch


def org_within(org: Organization, ancestor: Organization) -> bool:
    return org.path.startswith(ancestor.path)


# ---------------------------------------------------------------- predicates over a branch-owned object
@rules.predicate
def is_superuser(user, obj=None) -> bool:
    return actor_of(user).is_superuser


@rules.predicate
def is_member_of_branch(user, obj) -> bool:
    member, branch = actor_of(user).member, branch_of(obj)
    return bool(member and branch and member.branch_id == branch.pk)


@rules.predicate
def is_secretary_of_branch(user, obj) -> bool:
    member, branch = actor_of(user).member, branch_of(obj)
    return bool(member and branch and member.branch_id == branch.pk and member.is_secretary)


@rules.predicate
def is_committee_of_branch(user, obj) -> bool:
    member, branch = actor_of(user).member, branch_of(obj)
    return bool(member and branch and member.branch_id == branch.pk and member.is_committee)


@rules.predicate
def is_officer_over(user, obj) -> bool:
    officer_org = actor_of(user).officer_org
    org = obj if isinstance(obj, Organization) else branch_of(obj)
    return bool(officer_org and org and org_within(org, officer_org))


@rules.predicate
def is_supervisor_of_branch(user, obj) -> bool:
    branch = branch_of(obj)
    return bool(branch and branch.pk in actor_of(user).supervised_branch_ids)


@rules.predicate
def is_officer(user) -> bool:
    return actor_of(user).officer_org is not None


@rules.predicate
def is_member(user) -> bool:
    return actor_of(user).member is not None


@rules.predicate
def is_supervisor(user) -> bool:
    return _has_related(user, "supervisor")


@rules.predicate
def is_the_member(user, member) -> bool:
    own = actor_of(user).member
    return bool(own and member and own.pk == member.pk)


can_read_branch = is_member_of_branch | is_officer_over | is_supervisor_of_branch | is_superuser
can_manage_branch = is_secretary_of_branch | is_officer_over | is_superuser

# ---------------------------------------------------------------- organizations
rules.add_perm("organizations.view_branch", can_read_branch)
rules.add_perm("organizations.view_organization", is_officer_over | is_superuser)
rules.add_perm("organizations.manage_roster", can_manage_branch)
rules.add_perm("organizations.view_member", can_read_branch)
rules.add_perm("organizations.use_officer_pages", is_officer | is_superuser)
rules.add_perm("organizations.download_roster_template", is_member | is_officer | is_superuser)
# Opening accounts, issuing codes (a new slip for a forgotten password), taking a member off the roster.
rules.add_perm("organizations.manage_accounts", can_manage_branch)
# An officer appoints and removes the officers of their node and the nodes below, and assigns supervisors
# to the branches under it (obj: the node).
rules.add_perm("organizations.manage_officers", is_officer_over | is_superuser)


@rules.predicate
def manages_person(user, target) -> bool:
    """Whether `user` may issue a code (a new slip) for the account `target`: see users_managed_by."""
    return target is not None and users_managed_by(user).filter(pk=target.pk).exists()


rules.add_perm("organizations.manage_person", manages_person)  # obj: a user


@rules.predicate
def is_officer_over_another_officer(user, officer) -> bool:
    """An officer at or below the user's node who is not the user: nobody removes themselves."""
    officer_org = actor_of(user).officer_org
    return bool(
        officer is not None and officer_org and org_within(officer.organization, officer_org) and officer.user_id != user.pk
    )


rules.add_perm("organizations.remove_officer", is_officer_over_another_officer | is_superuser)  # obj: an Officer

# ---------------------------------------------------------------- accounts (issue 15)
@rules.predicate
def is_a_secretary(user) -> bool:
    member = actor_of(user).member
    return bool(member and member.is_secretary)


# Who must and who may use a second factor. Plain rules, not permissions: Django grants every permission
# to a superuser, and these describe a duty of officers, not a right.
rules.add_rule("two_factor_required", is_officer)
rules.add_rule("two_factor_offered", is_officer | is_a_secretary)

# ---------------------------------------------------------------- meetings (issues 4 and 5)
def _meeting_of(obj):
    """The meeting of a Meeting or of anything hanging off one (Opinion, Talk, SelfReview, …), as its model
    states it (BranchOwned.owner_meeting: None for a branch's own rows)."""
    return None if obj is None else obj.owner_meeting


@rules.predicate
def is_supervisor_of_meeting(user, obj) -> bool:
    """A 督导 named on the meeting itself (the branch need not be among their assigned branches)."""
    meeting = _meeting_of(obj)
    if meeting is None or meeting.pk is None or not _has_related(user, "supervisor"):
        return False
    read = meeting.supervisors.filter(pk=user.supervisor.pk).exists
    return actor_of(user).remembered("supervisor_of_meeting", meeting.pk, read)


@rules.predicate
def is_recorder_of_meeting(user, obj) -> bool:
    member, meeting = actor_of(user).member, _meeting_of(obj)
    if not (member and meeting and meeting.pk and member.branch_id == meeting.branch_id):
        return False
    return actor_of(user).remembered("recorder_of_meeting", meeting.pk, meeting.recorders.filter(pk=member.pk).exists)


@rules.predicate
def is_talk_party(user, talk) -> bool:
    member = actor_of(user).member
    return bool(member and talk and member.pk in (talk.member_a_id, talk.member_b_id))


@rules.predicate
def is_talk_confirmer(user, talk) -> bool:
    """The party who did not record the talk and must confirm it (meetings.models.Talk.confirmer_id)."""
    member = actor_of(user).member
    return bool(member and talk and talk.confirmer_id == member.pk)


@rules.predicate
def is_talk_recorder(user, talk) -> bool:
    return bool(talk and user.is_authenticated and talk.recorded_by_id == user.pk)


@rules.predicate
def is_review_author(user, review) -> bool:
    member = actor_of(user).member
    return bool(member and review and review.member_id and member.pk == review.member_id)


@rules.predicate
def is_committee_review(user, review) -> bool:
    return bool(review and review.member_id is None)


@rules.predicate
def is_editable_review(user, review) -> bool:
    return bool(review and review.is_editable)


@rules.predicate
def is_opinion_claimant(user, opinion) -> bool:
    member = actor_of(user).member
    if not (member and opinion):
        return False
    return actor_of(user).remembered("opinion_claimant", opinion.pk, opinion.claims.filter(member=member).exists)


@rules.predicate
def is_meeting_open(user, obj) -> bool:
    meeting = _meeting_of(obj)
    return bool(meeting and meeting.closed_at is None)


can_read_meeting = can_read_branch | is_supervisor_of_meeting
can_oversee_meeting = can_manage_branch | is_committee_of_branch | is_supervisor_of_branch | is_supervisor_of_meeting
# Issue 5: only the secretary, a designated recorder and the supervisor write the meeting record.
can_record_meeting = (
    is_secretary_of_branch | is_recorder_of_meeting | is_supervisor_of_branch | is_supervisor_of_meeting | is_superuser
)
is_branch_secretary = is_secretary_of_branch | is_superuser

rules.add_perm("meetings.add_meeting", can_manage_branch)  # obj: the branch
rules.add_perm("meetings.view_meeting", can_read_meeting)
rules.add_perm("meetings.change_meeting", can_manage_branch)
rules.add_perm("meetings.view_timeline", can_oversee_meeting)
rules.add_perm("meetings.mark_ready", can_manage_branch)
# Once the meeting is closed its report is final: study sessions and talks, like forums (below), are no longer
# added, changed or deleted. (The pages hide the buttons; these refuse the POSTs.)
rules.add_perm("meetings.manage_study", can_manage_branch & is_meeting_open)
rules.add_perm("meetings.view_study", can_read_meeting)
rules.add_perm("meetings.submit_opinion", is_member_of_branch & is_meeting_open)
rules.add_perm("meetings.view_opinions", can_read_meeting)
rules.add_perm("meetings.manage_opinions", can_manage_branch)  # record offline, sort, merge, assign
rules.add_perm("meetings.view_opinion_authors", can_manage_branch)
rules.add_perm("meetings.claim_opinion", is_member_of_branch)
rules.add_perm("meetings.answer_opinion", can_manage_branch | (is_member_of_branch & is_opinion_claimant))
rules.add_perm("meetings.record_talk", (is_member_of_branch | is_superuser) & is_meeting_open)
rules.add_perm("meetings.view_talks", can_read_meeting)
rules.add_perm("meetings.view_talk_summary", is_talk_party | is_secretary_of_branch | is_superuser)
rules.add_perm("meetings.change_talk", ((is_talk_party & is_member_of_branch) | is_branch_secretary) & is_meeting_open)
# Issue 16 item 5: the other side confirms a talk one side recorded, or says it did not take place (obj: the
# talk); that it was disputed is shown to the two, the one who recorded it and the secretary.
rules.add_perm("meetings.confirm_talk", is_talk_confirmer & is_member_of_branch & is_meeting_open)
rules.add_perm("meetings.view_talk_dispute", is_talk_party | is_talk_recorder | is_secretary_of_branch | is_superuser)
rules.add_perm("meetings.write_self_review", is_member_of_branch)  # obj: the meeting
rules.add_perm("meetings.review_self_reviews", is_branch_secretary)  # obj: the meeting or a review
rules.add_perm("meetings.list_self_reviews", can_oversee_meeting)
rules.add_perm(
    "meetings.view_self_review",
    is_review_author | can_manage_branch | is_supervisor_of_branch | is_supervisor_of_meeting
    | (is_committee_review & is_member_of_branch),
)
rules.add_perm(
    "meetings.edit_self_review",
    is_editable_review & ((is_review_author & is_member_of_branch) | (is_committee_review & is_branch_secretary)),
)
rules.add_perm("meetings.record_meeting", can_record_meeting & is_meeting_open)
rules.add_perm("meetings.view_record", can_read_meeting)
rules.add_perm("meetings.close_meeting", is_branch_secretary)
rules.add_perm("meetings.view_report", can_read_meeting)
rules.add_perm("meetings.use_my_home", is_member)
# 座谈会 (obj: the meeting or a forum): whoever manages the opinions, and the supervisors who hold forums
# for the meeting (named on it or assigned to its branch); everyone who reads the meeting reads them.
rules.add_perm("meetings.view_forums", can_read_meeting)
# Once the meeting is closed its report is final: no forum is added, changed or deleted afterwards.
rules.add_perm(
    "meetings.manage_forums", (can_manage_branch | is_supervisor_of_branch | is_supervisor_of_meeting) & is_meeting_open
)


# ---------------------------------------------------------------- evaluations (issue 6)
# Voting is for the branch's own members (the roster decides who exactly); results before publication
# are for those who run the evaluation; final grades are the secretary's (组织评定).
can_run_evaluation = can_manage_branch | is_committee_of_branch
rules.add_perm("evaluations.view_evaluation", can_read_branch)
rules.add_perm("evaluations.create_evaluation", can_manage_branch)
rules.add_perm("evaluations.manage_evaluation", can_manage_branch)
rules.add_perm("evaluations.vote", is_member_of_branch)
rules.add_perm("evaluations.print_paper_ballot", can_run_evaluation)
rules.add_perm("evaluations.enter_paper", is_secretary_of_branch | is_committee_of_branch | is_superuser)
rules.add_perm("evaluations.view_results", can_run_evaluation)
rules.add_perm("evaluations.determine", is_secretary_of_branch | is_superuser)
rules.add_perm("evaluations.view_published", can_read_branch)
rules.add_perm("evaluations.view_own_result", is_member_of_branch)
rules.add_perm("evaluations.check_receipt", rules.is_authenticated)

# ---------------------------------------------------------------- rectification (issue 7)
# A member sees and updates their own items; the committee reads the branch's list, ledger and cards,
# the secretary manages them (edit, merge, verify, close, reopen, 回头看); officers read everything
# under their node and supervisors their branches. Items are reached through branch_of(item) = item.branch.
@rules.predicate
def is_responsible_for_item(user, item) -> bool:
    member = actor_of(user).member
    return bool(member and item is not None and item.responsible_id == member.pk)


@rules.predicate
def is_print_job_owner(user, job) -> bool:
    return bool(job is not None and job.requested_by_id == user.pk)


can_read_rectification = is_committee_of_branch | is_officer_over | is_supervisor_of_branch | is_superuser
can_manage_rectification = is_secretary_of_branch | is_superuser

rules.add_perm("rectification.view_ledger", can_read_rectification)
rules.add_perm("rectification.view_problem_list", can_read_rectification)
rules.add_perm("rectification.manage_problem_list", can_manage_rectification)
rules.add_perm("rectification.manage_items", can_manage_rectification)
rules.add_perm("rectification.print_cards", can_read_rectification)
rules.add_perm("rectification.view_item", is_responsible_for_item | can_read_rectification)
rules.add_perm("rectification.update_item", is_responsible_for_item | can_manage_rectification)
rules.add_perm("rectification.verify_item", can_manage_rectification)
rules.add_perm("rectification.use_my_items", is_member)
# obj: a meeting; its branch's members follow up through their own items.
rules.add_perm("rectification.view_own_items_of_meeting", is_member_of_branch)
# Printing for a whole node (township, county) is an officer's job; a branch's reader may print its own.
rules.add_perm("rectification.start_print_job", is_officer_over | can_read_rectification)
rules.add_perm("rectification.view_print_job", is_print_job_owner | is_superuser)

# ---------------------------------------------------------------- documents (issue 19 item 2)
# Word and 公文 downloads ask the permission of the page they come from (meetings.view_report,
# meetings.view_self_review, rectification.view_problem_list / view_ledger). The Word minutes hold the whole
# record, so they go to whoever the meeting page shows all of it to (meeting_detail's see_all), obj: the meeting.
rules.add_perm("documents.download_record", can_oversee_meeting | (can_record_meeting & is_meeting_open))

# ---------------------------------------------------------------- notifications (issue 8)
@rules.predicate
def is_recipient(user, notification) -> bool:
    return bool(notification is not None and user.is_authenticated and notification.recipient_id == user.pk)


# Everyone with an account has a notification centre (officers get escalations, supervisors may too);
# a message is only ever opened or marked by the person it was sent to.
rules.add_perm("notifications.use_centre", rules.is_authenticated)
rules.add_perm("notifications.change_notification", is_recipient)
# Issue 16: who has been told (obj: a meeting), the branch's robots (obj: the branch); the SMS budget is
# money, set by the department above.
rules.add_perm("notifications.view_delivery_status", can_manage_branch)
rules.add_perm("notifications.manage_branch_channels", can_manage_branch)
rules.add_perm("notifications.set_sms_budget", is_officer_over | is_superuser)

# ---------------------------------------------------------------- 三会一课, 主题党日 and the year (issue 18)
# obj: the branch (an Activity, GroupDuty's branch, …: branch_of). The branch committee records what was held
# (usually the secretary on a phone right after the event); officers above may correct; members read.
can_record_activities = is_committee_of_branch | is_officer_over | is_superuser
rules.add_perm("activities.view_activities", can_read_branch)
rules.add_perm("activities.record_activity", can_record_activities)
rules.add_perm("activities.view_activity_photos", can_read_branch)
# obj: an Organization (the county or township whose branches the rule, tip or template covers)
rules.add_perm("activities.manage_rhythm", is_officer_over | is_superuser)
rules.add_perm("activities.publish_work_tip", is_officer_over | is_superuser)
rules.add_perm("activities.manage_duty_templates", is_officer_over | is_superuser)
# obj: the branch of the party group
rules.add_perm("activities.view_duties", can_read_branch)
rules.add_perm("activities.record_duty", can_record_activities)
rules.add_perm("activities.assess_groups", can_manage_branch)
# obj: a township (or any node): its quarterly ranking; published rankings are read by its branches (obj: branch)
rules.add_perm("activities.view_quarter_ranking", is_officer_over | is_superuser)
rules.add_perm("activities.publish_quarter_ranking", is_officer_over | is_superuser)
rules.add_perm("activities.view_published_ranking", can_read_branch)
rules.add_perm("activities.manage_pioneer_index", is_officer_over | is_superuser)
# obj: a Member — their year: themself, their branch committee, officers above, supervisors of the branch
rules.add_perm(
    "activities.view_member_year",
    is_the_member | is_committee_of_branch | is_officer_over | is_supervisor_of_branch | is_superuser,
)


# ---------------------------------------------------------------- dashboard (issue 9)
# An officer reads the dashboards (indicators, ranking, supervision figures, exports) of their node and
# of every node below it, never above or beside it; a supervisor (督导) has a page of their meetings.
rules.add_perm("dashboard.view_dashboard", is_officer | is_superuser)
rules.add_perm("dashboard.view_node", is_officer_over | is_superuser)  # obj: an Organization
rules.add_perm("dashboard.use_supervisor_home", is_supervisor)


# ---------------------------------------------------------------- problems that come back (issue 20)
# The recurring-problems page (dashboard/views_recurring.py) of a node: an officer over it, or the committee
# of a branch for their own branch. Members' names only for one branch — its own committee, or an officer
# who opened that branch; over a township or county the page shows counts, never names.
@rules.predicate
def is_branch_node(user, obj) -> bool:
    return isinstance(obj, Organization) and obj.level == Organization.Level.BRANCH


rules.add_perm("dashboard.view_recurring", is_officer_over | is_committee_of_branch | is_superuser)  # obj: a node
rules.add_perm(
    "dashboard.view_recurring_names", is_branch_node & (is_committee_of_branch | is_officer_over | is_superuser)
)


# ---------------------------------------------------------------- issue 19 filings (上报审核)
# A branch's secretary sends its meeting plan and report up; the node fixed on the filing as its reviewer
# (the township above by default, filings.selectors.reviewer_for) — any officer of that node or above —
# approves or returns it. The branch committee and every officer over the branch read it (obj: a Filing,
# or the Meeting before anything was sent); an officer of another township neither reads nor reviews it.
@rules.predicate
def is_reviewer_of_filing(user, filing) -> bool:
    officer_org = actor_of(user).officer_org
    # obj: a Filing (review_filing is asked of filings only), whose reviewer was fixed when it was first sent.
    return bool(officer_org and filing is not None and org_within(filing.reviewer, officer_org))


rules.add_perm("filings.view_filing", is_committee_of_branch | is_officer_over | is_superuser)
rules.add_perm("filings.submit_filing", is_secretary_of_branch | is_superuser)
rules.add_perm("filings.review_filing", is_reviewer_of_filing | is_superuser)
rules.add_perm("filings.use_review_inbox", is_officer | is_superuser)
# obj: the node whose branches' filings go to the level it names (usually the county).
rules.add_perm("filings.set_review_level", is_officer_over | is_superuser)


# ---------------------------------------------------------------- queryset scopes
def branches_visible_to(user) -> QuerySet[Organization]:
    """Branches this user may read: their own; every branch under an officer's node; supervised ones."""
    branches = Organization.objects.filter(level=Organization.Level.BRANCH)
    actor = actor_of(user)
    if actor.is_superuser:
        return branches
    condition = Q(pk__in=[])
    if actor.member:
        condition |= Q(pk=actor.member.branch_id)
    if actor.officer_org:
        condition |= Q(path__startswith=actor.officer_org.path)
    if actor.supervised_branch_ids:
        condition |= Q(pk__in=actor.supervised_branch_ids)
    return branches.filter(condition)


def organizations_visible_to(user) -> QuerySet[Organization]:
    """Every node (not only branches) an officer may open: their node and its subtree."""
    actor = actor_of(user)
    if actor.is_superuser:
        return Organization.objects.all()
    if actor.officer_org:
        return Organization.objects.filter(path__startswith=actor.officer_org.path)
    return branches_visible_to(user)


def members_visible_to(user) -> QuerySet[Member]:
    return Member.objects.filter(branch__in=branches_visible_to(user))


def users_managed_by(user) -> QuerySet:
    """Accounts `user` may issue codes for (a new slip, a reset): the active roster members of a branch they
    manage, and for an officer also the officers at or below their node and the supervisors from it or
    assigned under it. Never their own account: a reset of oneself goes through the person above."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.exclude(pk=user.pk)
    actor = actor_of(user)
    if actor.is_superuser:
        return users
    condition = Q(pk__in=[])
    if actor.member and actor.member.is_secretary:
        condition |= Q(member__is_active=True, member__branch_id=actor.member.branch_id)
    if actor.officer_org:
        path = actor.officer_org.path
        condition |= (
            Q(member__is_active=True, member__branch__path__startswith=path)
            | Q(officer__organization__path__startswith=path)
            | Q(supervisor__organization__path__startswith=path)
            | Q(supervisor__branches__path__startswith=path)
        )
    return users.filter(condition).distinct()
