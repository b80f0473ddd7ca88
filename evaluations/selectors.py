"""Reads of the evaluations app. Results are only ever computed after the close (and the seal)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from branchlife.permissions import branches_visible_to
from meetings.selectors import members_present
from organizations.models import Member

from . import services
from .models import (
    Ballot,
    BallotMark,
    Candidate,
    Evaluation,
    Grade,
    Handling,
    PaperEntry,
    PeerMark,
    Qualification,
    SelfGrade,
    Status,
    Voter,
)
from .policy import (
    COMMITTEE_ORDER,
    GRADE_ORDER,
    MIN_BALLOTS_FOR_BREAKDOWN,
    disclosure_risks,
    excellent_quota,
    suggest_grades,
)

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- contracts with other apps
def evaluation_for_meeting(*, meeting) -> Evaluation | None:
    return Evaluation.objects.filter(meeting=meeting).first()


def open_evaluations(*, now: dt.datetime) -> QuerySet[Evaluation]:
    """Evaluations whose voting is open at `now` (each has its `closes_at`)."""
    return (
        Evaluation.objects.filter(opens_at__lte=now, closes_at__gt=now)
        .select_related("meeting__branch")
        .order_by("closes_at", "pk")
    )


def voters_not_voted(*, evaluation: Evaluation) -> list[Member]:
    """From the participation record only: the voters who have voted neither online nor on paper."""
    return [
        v.member
        for v in Voter.objects.filter(evaluation=evaluation, channel="").select_related("member").order_by("member__name", "member_id")
    ]


def evaluation_summary(*, meeting) -> dict | None:
    """Final grades (and the committee rating) for the meeting report; None until they are determined."""
    evaluation = Evaluation.objects.filter(meeting=meeting, determined_at__isnull=False).first()
    if evaluation is None:
        return None
    finals = dict(
        Candidate.objects.filter(evaluation=evaluation)
        .order_by()
        .values("final_grade")
        .annotate(n=Count("id"))
        .values_list("final_grade", "n")
    )
    committee = _committee_rows(_committee_counts(evaluation)) if evaluation.with_committee_rating else []
    return {
        "grades": [(g.value, g.label, finals.get(g.value, 0)) for g in GRADE_ORDER],
        "committee": committee,
        "published": evaluation.published_at is not None,
    }


def evaluations_to_vote(*, member: Member, now: dt.datetime | None = None) -> list[Evaluation]:
    """Open evaluations where this member is on the roster and has not voted yet (for the member's home)."""
    now = now or timezone.now()
    waiting = Voter.objects.filter(evaluation=OuterRef("pk"), member=member, channel="")
    return list(open_evaluations(now=now).filter(Exists(waiting)))


def correction_periods_ending(*, until: dt.date) -> QuerySet[Handling]:
    """限期改正 whose period ends on or before `until` (for the reminder of its end date)."""
    return (
        Handling.objects.filter(outcome=Handling.Outcome.CORRECTION, correction_until__lte=until)
        .select_related("candidate__member", "candidate__evaluation__meeting__branch")
        .order_by("correction_until")
    )


# ---------------------------------------------------------------- lists
def evaluation_list(*, user, search: str = "", year: int | None = None, status: str = "") -> QuerySet[Evaluation]:
    qs = (
        Evaluation.objects.filter(meeting__branch__in=branches_visible_to(user))
        .select_related("meeting__branch")
        .annotate(
            n_candidates=Count("candidates", distinct=True),
            n_voters=Count("voters", distinct=True),
            n_voted=Count("voters", filter=~Q(voters__channel=""), distinct=True),
        )
        .order_by("-meeting__year", "-opens_at", "-pk")
    )
    if search:
        qs = qs.filter(Q(meeting__branch__name__icontains=search) | Q(meeting__theme__icontains=search))
    if year:
        qs = qs.filter(meeting__year=year)
    now = timezone.now()
    if status == Status.SCHEDULED:
        qs = qs.filter(opens_at__gt=now)
    elif status == Status.OPEN:
        qs = qs.filter(opens_at__lte=now, closes_at__gt=now)
    elif status == Status.CLOSED:
        qs = qs.filter(closes_at__lte=now)
    elif status == "published":
        qs = qs.filter(published_at__isnull=False)
    return qs


# ---------------------------------------------------------------- voting
def candidates_of(*, evaluation: Evaluation) -> list[Candidate]:
    return list(
        Candidate.objects.filter(evaluation=evaluation).select_related("member").order_by("member__name", "member_id")
    )


# Issue 23: every ballot page and every ballot of an evaluation read the same candidates. Once voting has
# started they cannot change (evaluation_roster_set refuses, evaluation_update keeps opens_at), so from
# then on they come from the cache, keyed by the evaluation and its opening time.
BALLOT_CANDIDATES_CACHE_SECONDS = 600


@dataclass(frozen=True, slots=True)
class BallotMember:
    pk: int
    name: str


@dataclass(frozen=True, slots=True)
class BallotCandidate:
    """A candidate as the ballot form, its template and ballot_cast use it (`pk`, `member_id`, `member.name`):
    plain values, which cost a fraction of building 30 model instances on every ballot."""

    pk: int
    member_id: int
    member: BallotMember


def ballot_candidates(*, evaluation: Evaluation) -> list[BallotCandidate]:
    """The candidates as the ballot needs them (id, member id, name): the voting page's hot path."""
    started = evaluation.has_started()
    key = f"evaluations:ballot-candidates:v1:{evaluation.pk}:{evaluation.opens_at.timestamp()}"
    if started:
        kept = _kept_candidates.get(key)
        if kept is not None:
            return list(kept)
        try:
            rows = cache.get(key)
        except Exception:  # a cache that is down must not stop the vote: read the database
            logger.warning("ballot-candidates cache unavailable", exc_info=True)
            rows = None
            started = False
        if rows is not None:
            return list(_kept_candidates.put(key, tuple(_candidate(*row) for row in rows)))
    rows = list(
        Candidate.objects.filter(evaluation=evaluation)
        .order_by("member__name", "member_id")
        .values_list("id", "member_id", "member__name")
    )
    candidates = tuple(_candidate(*row) for row in rows)
    if started:
        try:
            cache.set(key, rows, BALLOT_CANDIDATES_CACHE_SECONDS)
        except Exception:
            logger.warning("ballot-candidates cache unavailable", exc_info=True)
        _kept_candidates.put(key, candidates)
    return list(candidates)


class _KeptCandidates:
    """The frozen candidates this process has already built, for as long as the shared cache keeps them
    (BALLOT_CANDIDATES_CACHE_SECONDS, so a corrected name shows as soon as it would from the cache): during a
    vote every ballot of an evaluation asks for the same tuple, and fetching and unpickling it from Redis and
    building 30 candidates was ~5 % of a ballot's CPU (issue 23). Bounded, oldest out first."""

    def __init__(self, size: int, clock=time.monotonic):
        self.size, self.clock = size, clock
        self.entries: dict[str, tuple[float, tuple[BallotCandidate, ...]]] = {}
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple[BallotCandidate, ...] | None:
        entry = self.entries.get(key)
        if entry is None or entry[0] < self.clock():
            return None
        return entry[1]

    def put(self, key: str, candidates: tuple[BallotCandidate, ...]) -> tuple[BallotCandidate, ...]:
        with self.lock:
            self.entries.pop(key, None)
            while len(self.entries) >= self.size:
                del self.entries[next(iter(self.entries))]
            self.entries[key] = (self.clock() + BALLOT_CANDIDATES_CACHE_SECONDS, candidates)
        return candidates

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_kept_candidates = _KeptCandidates(size=512)


def _candidate(pk: int, member_id: int, name: str) -> BallotCandidate:
    return BallotCandidate(pk=pk, member_id=member_id, member=BallotMember(pk=member_id, name=name))


def candidates_count(*, evaluation: Evaluation) -> int:
    return Candidate.objects.filter(evaluation=evaluation).count()


def ballot_quota(*, evaluation: Evaluation, candidate_count: int | None = None) -> int | None:
    if candidate_count is None:
        candidate_count = candidates_count(evaluation=evaluation)
    return excellent_quota(quota=evaluation.excellent_quota, candidates=candidate_count)


def voter_for(*, evaluation: Evaluation, member: Member | None) -> Voter | None:
    if member is None:
        return None
    return Voter.objects.filter(evaluation=evaluation, member=member).first()


def roster(*, evaluation: Evaluation) -> list[Voter]:
    return list(Voter.objects.filter(evaluation=evaluation).select_related("member").order_by("member__name", "member_id"))


@dataclass
class Participation:
    eligible: int
    online: int
    paper: int
    paper_entered: int

    @property
    def voted(self) -> int:
        return self.online + self.paper

    @property
    def not_voted(self) -> int:
        return self.eligible - self.voted

    @property
    def paper_room(self) -> int:
        return self.paper - self.paper_entered

    @property
    def turnout_percent(self) -> Decimal:
        if not self.eligible:
            return Decimal("0")
        return (Decimal(self.voted * 100) / self.eligible).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def participation(*, evaluation: Evaluation) -> Participation:
    row = Voter.objects.filter(evaluation=evaluation).aggregate(
        eligible=Count("id"),
        online=Count("id", filter=Q(channel=Voter.Channel.ONLINE)),
        paper=Count("id", filter=Q(channel=Voter.Channel.PAPER)),
    )
    entered = PaperEntry.objects.filter(evaluation=evaluation).aggregate(n=Sum("ballots"))["n"] or 0
    return Participation(eligible=row["eligible"], online=row["online"], paper=row["paper"], paper_entered=entered)


def attendees_not_on_roster(*, evaluation: Evaluation, now: dt.datetime | None = None) -> list[Member]:
    """扫码测评 still open: members now on the meeting's roll who were not when voting began."""
    if not evaluation.in_room or not evaluation.is_open(now):
        return []

    on_roster = set(Voter.objects.filter(evaluation=evaluation).values_list("member_id", flat=True))
    return [m for m in members_present(meeting=evaluation.meeting) or [] if m.pk not in on_roster]


@dataclass
class PeerSummary:
    """个人自评 and 党小组互评 of one candidate, for the determination page (after the close)."""

    self_grade: str  # label, "" if none given
    counts: list[tuple[str, int]]  # (grade label, n) in grade order
    raters: int

    @property
    def shown(self) -> bool:
        # As for the branch ballot's breakdown: fewer raters and the counts say too much about each of them.
        return self.raters >= MIN_BALLOTS_FOR_BREAKDOWN


def peer_summaries(*, evaluation: Evaluation) -> dict[int, PeerSummary]:
    """Per candidate id; empty unless the evaluation asked for them and voting has closed."""
    if not evaluation.with_peer_review or not evaluation.is_closed():
        return {}
    own = dict(SelfGrade.objects.filter(evaluation=evaluation).values_list("candidate_id", "grade"))
    counts: dict[int, dict[str, int]] = {}
    rows = PeerMark.objects.filter(evaluation=evaluation).order_by().values("candidate_id", "grade").annotate(n=Count("id"))
    for row in rows:
        counts.setdefault(row["candidate_id"], {})[row["grade"]] = row["n"]
    result = {}
    for cid in Candidate.objects.filter(evaluation=evaluation).values_list("id", flat=True):
        mine = counts.get(cid, {})
        result[cid] = PeerSummary(
            self_grade=Grade(own[cid]).label if cid in own else "",
            counts=[(g.label, mine.get(g.value, 0)) for g in GRADE_ORDER],
            raters=sum(mine.values()),
        )
    return result


def receipt_counted(*, code: str) -> bool:
    """True when a valid ballot carries this receipt code; nothing else about it is ever shown."""
    if len(services.receipt_normalize(code)) != services.RECEIPT_LENGTH:
        return False
    return Ballot.objects.filter(receipt_hash=services.receipt_hash(code), is_valid=True).exists()


def paper_entries(*, evaluation: Evaluation) -> QuerySet[PaperEntry]:
    return PaperEntry.objects.filter(evaluation=evaluation).select_related("entered_by")


# ---------------------------------------------------------------- results
@dataclass
class CandidateTally:
    candidate: Candidate
    counts: dict[str, int]
    unmet: dict[str, int]
    suggested: str = ""
    peer: PeerSummary | None = None  # 个人自评 and 党小组互评, when asked for (set by the determination page)

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(g, 0) for g in GRADE_ORDER]

    @property
    def labelled_cells(self) -> list[tuple[str, int]]:
        return [(g.label, self.counts.get(g, 0)) for g in GRADE_ORDER]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def unmet_cells(self) -> list[int]:
        return [self.unmet.get(q, 0) for q in Qualification.values]

    @property
    def suggested_label(self) -> str:
        return Grade(self.suggested).label if self.suggested else ""


@dataclass
class Tally:
    evaluation: Evaluation
    participation: Participation
    valid: int
    invalid: int
    rows: list[CandidateTally]
    committee: list[tuple[str, str, int]]
    quota: int | None
    risks: list[str] = field(default_factory=list)

    @property
    def grade_labels(self) -> list[str]:
        return [g.label for g in GRADE_ORDER]

    def chart(self) -> dict:
        return {
            "names": [r.candidate.member.name for r in self.rows],
            "series": [
                {"name": g.label, "data": [r.counts.get(g.value, 0) for r in self.rows]} for g in GRADE_ORDER
            ],
            "committee": [{"name": label, "value": n} for _code, label, n in self.committee],
        }


def _committee_counts(evaluation: Evaluation) -> dict[str, int]:
    return dict(
        Ballot.objects.filter(evaluation=evaluation, is_valid=True)
        .exclude(committee_grade="")
        .order_by()
        .values("committee_grade")
        .annotate(n=Count("id"))
        .values_list("committee_grade", "n")
    )


def _committee_rows(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(code, label, count) per committee grade, in the ballot's order, zeros included."""
    return [(g.value, g.label, counts.get(g.value, 0)) for g in COMMITTEE_ORDER]


def tally(*, evaluation: Evaluation) -> Tally | None:
    """The count per candidate and grade; None while the voting is not closed (no running counts).

    A read only (issue 21: a selector never seals): the views that show results call
    services.evaluation_seal_if_due first, so whoever looks first still triggers the rewrite of the tables.
    """
    if not evaluation.is_closed():
        return None
    candidates = candidates_of(evaluation=evaluation)
    counts: dict[int, dict[str, int]] = {c.pk: {} for c in candidates}
    unmet: dict[int, dict[str, int]] = {c.pk: {} for c in candidates}
    marks = (
        BallotMark.objects.filter(evaluation=evaluation)
        .order_by()
        .values("candidate_id", "grade")
        .annotate(
            n=Count("id"),
            **{f"no_{q}": Count("id", filter=Q(**{q: False})) for q in Qualification.values},
        )
    )
    for row in marks:
        counts[row["candidate_id"]][row["grade"]] = row["n"]
        for q in Qualification.values:
            unmet[row["candidate_id"]][q] = unmet[row["candidate_id"]].get(q, 0) + row[f"no_{q}"]
    ballots = Ballot.objects.filter(evaluation=evaluation).aggregate(
        valid=Count("id", filter=Q(is_valid=True)), invalid=Count("id", filter=Q(is_valid=False))
    )
    quota = ballot_quota(evaluation=evaluation, candidate_count=len(candidates))
    suggestions = suggest_grades(counts, quota=quota)
    rows = [CandidateTally(candidate=c, counts=counts[c.pk], unmet=unmet[c.pk], suggested=suggestions.get(c.pk, "")) for c in candidates]
    committee_counts = _committee_counts(evaluation) if evaluation.with_committee_rating else {}
    committee = _committee_rows(committee_counts) if evaluation.with_committee_rating else []
    risks = disclosure_risks(
        valid=ballots["valid"],
        rows=[(r.candidate.member.name, r.counts) for r in rows],
        committee=committee_counts,
    )
    return Tally(
        evaluation=evaluation,
        participation=participation(evaluation=evaluation),
        valid=ballots["valid"],
        invalid=ballots["invalid"],
        rows=rows,
        committee=committee,
        quota=quota,
        risks=risks,
    )


def suggestions_of(*, evaluation: Evaluation) -> dict[int, str]:
    result = tally(evaluation=evaluation)
    return {r.candidate.pk: r.suggested for r in result.rows} if result else {}


# ---------------------------------------------------------------- publication
def is_publicly_shown(*, evaluation: Evaluation, today: dt.date | None = None) -> bool:
    """Inside the 公示 period: published, and not past its end date."""
    today = today or timezone.localdate()
    return bool(evaluation.published_at and evaluation.publication_ends_on and today <= evaluation.publication_ends_on)


def own_result(*, evaluation: Evaluation, member: Member | None) -> Candidate | None:
    if member is None or evaluation.published_at is None:
        return None
    return (
        Candidate.objects.filter(evaluation=evaluation, member=member)
        .prefetch_related("follow_up_talks")
        .select_related("handling")
        .first()
    )


def follow_up_candidates(*, evaluation: Evaluation) -> list[Candidate]:
    return list(
        Candidate.objects.filter(evaluation=evaluation, final_grade__in=[Grade.BASIC, Grade.UNQUALIFIED])
        .select_related("member", "handling")
        .prefetch_related("follow_up_talks")
        .order_by("member__name")
    )
