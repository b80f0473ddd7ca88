"""Reads of the rectification app: the problem list, the ledger, cards, all N+1-free."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meetings.models import Meeting
from organizations.models import Member, Organization

from .models import Evidence, FollowUpReview, ItemHistory, ItemProgress, PrintJob, Problem, RectificationItem
from .recurrence import recurrences_of

Status = RectificationItem.Status

# Criticisms go to the "received" half of the card front; everything else is what the member found.
FOUND_KINDS = (
    Problem.SourceKind.SELF_REVIEW,
    Problem.SourceKind.CLAIMED,
    Problem.SourceKind.OPINION,
    Problem.SourceKind.ADDED,
)

SORTS = {
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "person": ("responsible__name", "deadline", "id"),
    "status": ("status_rank", "deadline", "id"),
    "updated": ("-updated_at", "-id"),
}


def today() -> dt.date:
    return timezone.localdate()


def overdue_q(on: dt.date | None = None, *, closed_by: dt.date | None = None) -> Q:
    """THE overdue rule (issue 21: written once; every list, count, export and ranking uses it).

    Overdue is derived, never stored: past the deadline and not yet closed (待核验 still counts).
    `closed_by` judges a past day (the quarter ranking): closed means closed on or before that day, so an
    item closed later was still open then. item_is_overdue is the same rule for one loaded item; a test
    compares the two."""
    on = on or today()
    if closed_by is None:
        return Q(deadline__lt=on) & ~Q(status=Status.CLOSED)
    return Q(deadline__lt=on) & (Q(closed_at__isnull=True) | Q(closed_at__date__gt=closed_by))


def with_overdue(qs: QuerySet[RectificationItem], *, on: dt.date | None = None) -> QuerySet[RectificationItem]:
    """Annotates `is_overdue` (overdue_q) and `status_rank` for sorting by status."""
    on = on or today()
    return qs.annotate(
        is_overdue=Case(
            When(overdue_q(on), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        status_rank=Case(
            When(status=Status.NOT_STARTED, then=Value(0)),
            When(status=Status.IN_PROGRESS, then=Value(1)),
            When(status=Status.PENDING, then=Value(2)),
            default=Value(3),
        ),
    )


def item_is_overdue(item: RectificationItem, *, on: dt.date | None = None) -> bool:
    """overdue_q for one item already loaded (the annotation when with_overdue put it there)."""
    annotated = getattr(item, "is_overdue", None)
    if annotated is not None:
        return annotated
    return item.status != Status.CLOSED and item.deadline < (on or today())


def _items_base() -> QuerySet[RectificationItem]:
    return with_overdue(RectificationItem.objects.select_related("responsible", "branch", "meeting"))


@dataclass
class LedgerFilters:
    status: str = ""
    overdue: bool = False
    person: int | None = None
    person_ids: tuple[int, ...] = ()  # 责任人 typed by name: every member of the branch it matched
    source: str = ""
    meeting: int | None = None
    search: str = ""
    sort: str = "deadline"


def ledger_items(*, branch: Organization, filters: LedgerFilters | None = None) -> QuerySet[RectificationItem]:
    """The branch's ledger (整改台账), filtered, searched and sorted, with problems prefetched."""
    f = filters or LedgerFilters()
    qs = _items_base().filter(branch=branch)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.overdue:
        qs = qs.filter(is_overdue=True)
    if f.person:
        qs = qs.filter(responsible_id=f.person)
    if f.person_ids:
        qs = qs.filter(responsible_id__in=f.person_ids)
    if f.meeting:
        qs = qs.filter(meeting_id=f.meeting)
    if f.source:
        qs = qs.filter(Exists(Problem.items.through.objects.filter(
            rectificationitem_id=OuterRef("pk"), problem__source_kind=f.source
        )))
    if f.search:
        s = f.search
        qs = qs.filter(
            Q(title__icontains=s) | Q(goal__icontains=s) | Q(measures__icontains=s) | Q(responsible__name__icontains=s)
        )
    qs = qs.prefetch_related(Prefetch("problems", queryset=Problem.objects.order_by("id")))
    return qs.order_by(*SORTS.get(f.sort, SORTS["deadline"]))


def ledger_counts(*, branch: Organization, on: dt.date | None = None) -> dict[str, int]:
    on = on or today()
    row = RectificationItem.objects.filter(branch=branch).aggregate(
        total=Count("id"),
        not_started=Count("id", filter=Q(status=Status.NOT_STARTED)),
        in_progress=Count("id", filter=Q(status=Status.IN_PROGRESS)),
        pending=Count("id", filter=Q(status=Status.PENDING)),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
        overdue=Count("id", filter=overdue_q(on)),
    )
    return row


def my_items(*, member: Member) -> QuerySet[RectificationItem]:
    """A member's own items, open ones first, nearest deadline first."""
    return (
        _items_base()
        .filter(responsible=member)
        .annotate(closed_last=Case(When(status=Status.CLOSED, then=Value(1)), default=Value(0)))
        .prefetch_related(Prefetch("problems", queryset=Problem.objects.order_by("id")))
        .order_by("closed_last", "deadline", "id")
    )


def item_detail(*, pk: int) -> QuerySet[RectificationItem]:
    return _items_base().filter(pk=pk).prefetch_related(
        Prefetch("problems", queryset=Problem.objects.select_related("member").order_by("id")),
        Prefetch("progress", queryset=ItemProgress.objects.prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("id"))
        ).order_by("-created_at", "-id")),
        Prefetch("follow_ups", queryset=FollowUpReview.objects.order_by("-reviewed_on", "-id")),
        Prefetch("history", queryset=ItemHistory.objects.order_by("at", "id")),
    )


def problem_list(*, meeting: Meeting, member_id: int | None = None, search: str = "", source: str = "",
                 include_merged: bool = False, theme: str = "") -> QuerySet[Problem]:
    """The meeting's problem list: branch-level lines first, then each member's, by source."""
    qs = Problem.objects.filter(meeting=meeting).select_related("member", "merged_into").annotate(
        item_count=Count("items", distinct=True)
    )
    if not include_merged:
        qs = qs.filter(merged_into__isnull=True)
    if member_id:
        qs = qs.filter(member_id=member_id)
    if source:
        qs = qs.filter(source_kind=source)
    if theme:
        qs = qs.filter(theme=theme)
    if search:
        qs = qs.filter(Q(text__icontains=search) | Q(member__name__icontains=search) | Q(aspect__icontains=search))
    return qs.order_by(Case(When(member__isnull=True, then=Value(0)), default=Value(1)), "member__name", "member_id",
                       "source_kind", "id")


def meetings_with_problems(*, branch: Organization) -> QuerySet[Meeting]:
    return Meeting.objects.filter(branch=branch).annotate(n_problems=Count("problems")).order_by("-year", "-id")


def card_meeting(*, branch: Organization, year: int | None = None) -> Meeting | None:
    """The meeting a branch's cards are printed for: its latest meeting (of `year`) that has problems."""
    qs = Meeting.objects.filter(branch=branch, problems__isnull=False).distinct()
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-held_on", "-id").first()


# A card side is exactly one A6 page whatever happens (the duplex order depends on it), and WeasyPrint
# breaks an over-full block onto a new page even with overflow:hidden. So each side gets a budget of
# printed lines, estimated conservatively from the text length (full-width characters per line at the
# card's font size); what does not fit is counted ("另有 N 条") instead of printed.
FRONT_LINES = 23  # 8 pt lines between the header and the motto, both lists together
FRONT_CHARS = 30  # characters per line in a list item
BACK_LINES = 23  # 7.5 pt lines for the measures table
BACK_CHARS = 22  # characters per line in the measures column (the date column takes ~27 mm)
CARD_MAX_MEASURES = 3
CARD_MAX_CHARS = 88  # at most three lines per problem


def _short(text: str, limit: int = CARD_MAX_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lines(text: str, per_line: int) -> int:
    return max(1, -(-len(text) // per_line))


@dataclass
class CardLine:
    text: str


@dataclass
class CardItem:
    title: str
    measures: list[str]
    deadline: dt.date
    status: str

    @property
    def lines(self) -> int:
        # title + each numbered measure ("1. " prefix); the cell padding is in the budget
        return _lines(self.title, BACK_CHARS) + sum(_lines(m, BACK_CHARS - 2) for m in self.measures)


@dataclass
class Card:
    """One member's reminder card (提醒卡): front = problems found + criticisms received, back = measures.

    `add_problem` / `add_item` collect everything; `fit` decides what is printed.
    """

    member: Member
    branch_name: str
    meeting_title: str
    found: list[CardLine] = field(default_factory=list)
    received: list[CardLine] = field(default_factory=list)
    items: list[CardItem] = field(default_factory=list)
    found_more: int = 0
    received_more: int = 0
    items_more: int = 0
    commitment: str = ""
    # Issue 20: the card's problems that came back from an earlier year, with what became of that year's item.
    came_back: list[CardLine] = field(default_factory=list)
    came_back_more: int = 0

    def add_problem(self, problem: Problem) -> None:
        line = CardLine(_short(problem.text))
        (self.received if problem.source_kind == Problem.SourceKind.CRITICISM else self.found).append(line)

    def add_item(self, item: RectificationItem) -> None:
        if not self.commitment and item.commitment:
            self.commitment = _short(item.commitment, 70)
        measures = [_short(m, 2 * (BACK_CHARS - 2)) for m in _split_measures(item.measures)[:CARD_MAX_MEASURES]]
        self.items.append(CardItem(_short(item.title, BACK_CHARS), measures, item.deadline, item.get_status_display()))

    def add_came_back(self, r) -> None:
        """One "this came back" line (a recurrence.Recurrence), as short as the card allows."""
        if r.item_id is None:
            outcome = _("当时未建整改事项")
        elif r.closed_at:
            outcome = _("整改事项于%(d)s销号") % {"d": date_format(timezone.localtime(r.closed_at).date(), "Y年n月j日")}
        else:
            outcome = _("整改事项%(s)s") % {"s": r.item_status_display}
        if r.rebound:
            outcome += _("，回头看发现反弹")
        elif r.rebound is False:
            outcome += _("，回头看成效巩固")
        text = _("%(year)s年“%(old)s”，%(outcome)s") % {"year": r.earlier_year, "old": _short(r.earlier_text, 24),
                                                      "outcome": outcome}
        self.came_back.append(CardLine(_short(text)))

    def fit(self) -> Card:
        # Front: "came back" lines first (at most a fifth), then criticisms keep up to a third of the space
        # when there are many problems found.
        self.came_back, self.came_back_more = _take(
            self.came_back, lambda p: _lines(p.text, FRONT_CHARS), FRONT_LINES // 5 - 1
        )
        came_back_cost = sum(_lines(p.text, FRONT_CHARS) for p in self.came_back)
        came_back_cost += (1 if self.came_back else 0) + (1 if self.came_back_more else 0)
        received_cost = sum(_lines(p.text, FRONT_CHARS) for p in self.received)
        found_budget = FRONT_LINES - came_back_cost - min(received_cost, FRONT_LINES // 3)
        self.found, self.found_more = _take(self.found, lambda p: _lines(p.text, FRONT_CHARS), found_budget - 1)
        used = sum(_lines(p.text, FRONT_CHARS) for p in self.found) + (1 if self.found_more else 0)
        self.received, self.received_more = _take(
            self.received, lambda p: _lines(p.text, FRONT_CHARS), FRONT_LINES - came_back_cost - used - 1
        )
        self.items, self.items_more = _take(self.items, lambda i: i.lines, BACK_LINES - 1)
        return self


def _take(rows: list, cost, budget: int) -> tuple[list, int]:
    """The leading rows that fit in `budget` lines (at least one, shortened if need be), and how many not."""
    shown, used = [], 0
    for row in rows:
        if used + cost(row) > budget and shown:
            break
        shown.append(row)
        used += cost(row)
    return shown, len(rows) - len(shown)


def _split_measures(text: str) -> list[str]:
    lines = [ln.strip(" \t-·•") for ln in (text or "").splitlines()]
    return [ln for ln in lines if ln]


def cards_for_meeting(*, meeting: Meeting, member_ids: list[int] | None = None) -> list[Card]:
    """Every card of the meeting's branch, one per member who has problems or items, by name.

    Three queries whatever the branch size (members, problems, items), and four more when problems came back
    from an earlier year (recurrence.recurrences_of).
    """
    branch = meeting.branch
    problems = Problem.objects.filter(meeting=meeting, member__isnull=False, merged_into__isnull=True)
    items = RectificationItem.objects.filter(branch=branch, meeting=meeting)
    if member_ids is not None:
        problems = problems.filter(member_id__in=member_ids)
        items = items.filter(responsible_id__in=member_ids)
    problems = list(problems.only("member_id", "text", "source_kind", "recurs_of_id", "streak").order_by("id"))
    items = list(items.order_by("deadline", "id"))
    ids = {p.member_id for p in problems} | {i.responsible_id for i in items}
    members = Member.objects.filter(pk__in=ids).order_by("name", "id")
    cards = {m.pk: Card(member=m, branch_name=branch.name, meeting_title=str(meeting)) for m in members}
    came_back = recurrences_of(problems)
    for p in problems:
        cards[p.member_id].add_problem(p)
        if p.pk in came_back:
            cards[p.member_id].add_came_back(came_back[p.pk])
    for i in items:
        cards[i.responsible_id].add_item(i)
    return [card.fit() for card in cards.values()]


def card_member_ids(*, meeting: Meeting) -> list[int]:
    """The members who get a card, in card order (used to split a big job into chunks)."""
    ids = set(Problem.objects.filter(meeting=meeting, member__isnull=False).values_list("member_id", flat=True))
    ids |= set(RectificationItem.objects.filter(meeting=meeting).values_list("responsible_id", flat=True))
    return list(Member.objects.filter(pk__in=ids).order_by("name", "id").values_list("pk", flat=True))


def print_branches(*, organization: Organization, year: int | None = None) -> list[tuple[Organization, Meeting]]:
    """(branch, meeting) pairs under a node that have cards to print, in tree order; one query."""
    qs = (
        Meeting.objects.filter(branch__path__startswith=organization.path, problems__isnull=False)
        .select_related("branch")
        .distinct()
        .order_by("branch__path", "-year", "-held_on", "-id")
    )
    if year:
        qs = qs.filter(year=year)
    chosen: dict[int, Meeting] = {}
    for meeting in qs:
        chosen.setdefault(meeting.branch_id, meeting)
    return [(m.branch, m) for m in chosen.values()]


def print_jobs_of(*, user) -> QuerySet[PrintJob]:
    return PrintJob.objects.filter(requested_by=user).select_related("organization").order_by("-created_at", "-id")


def members_of(*, branch: Organization) -> QuerySet[Member]:
    return Member.objects.filter(branch=branch, is_active=True).order_by("name", "id")
