"""The evaluation's rules as pure functions (no database): the quota, suggestions, disclosure risks."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping

from django.utils.translation import gettext as _

from meetings.quota import QUOTA_MAX_DENOMINATOR, QUOTA_MAX_LENGTH, Quota  # noqa: F401  (the policy's vocabulary)

from .models import CommitteeGrade, Grade

GRADE_ORDER = [Grade.EXCELLENT, Grade.QUALIFIED, Grade.BASIC, Grade.UNQUALIFIED]
COMMITTEE_ORDER = [CommitteeGrade.GOOD, CommitteeGrade.FAIRLY_GOOD, CommitteeGrade.FAIR, CommitteeGrade.POOR]
CORRECTION_USUAL_MONTHS = 6
CORRECTION_MAX_MONTHS = 12
# Fewer valid ballots than this and any per-candidate breakdown says too much about each voter.
MIN_BALLOTS_FOR_BREAKDOWN = 3


def excellent_quota(*, quota: Quota | None, candidates: int) -> int | None:
    """How many 优秀 the quota allows among `candidates`; None means no cap."""
    return None if quota is None else quota.count(candidates)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_correction_until(decided_on: dt.date) -> dt.date:
    return add_months(decided_on, CORRECTION_USUAL_MONTHS)


def correction_deadline_error(*, outcome: str, decided_on, correction_until) -> str | None:
    """限期改正 needs an end date after the decision and at most a year later (处置办法 2024)."""
    if outcome != "correction":
        return None
    if correction_until is None:
        return _("限期改正须填写改正期限。")
    if decided_on is None:
        return None
    if correction_until <= decided_on:
        return _("改正期限须晚于决定日期。")
    if correction_until > add_months(decided_on, CORRECTION_MAX_MONTHS):
        return _("限期改正最长不超过 1 年。")
    return None


def suggest_grades(counts: Mapping[int, Mapping[str, int]], *, quota: int | None) -> dict[int, str]:
    """The grade each candidate's votes point to, within the quota.

    Each candidate gets the grade most voters gave (a tie goes to 合格, then to the better grade). If more
    candidates come out 优秀 than the quota allows, those with the most 优秀 votes keep it and the others
    are suggested 合格. Candidates with no votes get no suggestion. It is only a suggestion: the branch
    decides, and says why when it departs from it.
    """
    suggestion: dict[int, str] = {}
    for cid, by_grade in counts.items():
        if not any(by_grade.values()):
            continue
        best = max(by_grade.get(g, 0) for g in GRADE_ORDER)
        tied = [g for g in GRADE_ORDER if by_grade.get(g, 0) == best]
        suggestion[cid] = Grade.QUALIFIED if Grade.QUALIFIED in tied else tied[0]
    excellent = [cid for cid, grade in suggestion.items() if grade == Grade.EXCELLENT]
    if quota is not None and len(excellent) > quota:
        def votes(cid: int) -> int:
            return counts[cid].get(Grade.EXCELLENT, 0)

        excellent.sort(key=lambda cid: -votes(cid))
        keep = set(excellent[:quota])
        if quota > 0 and votes(excellent[quota - 1]) == votes(excellent[quota]):
            # A tie at the boundary cannot be settled by the votes: all of the tied drop to 合格.
            keep = {cid for cid in keep if votes(cid) > votes(excellent[quota])}
        for cid in excellent:
            if cid not in keep:
                suggestion[cid] = Grade.QUALIFIED
    return suggestion


def disclosure_risks(*, valid: int, rows, committee: Mapping[str, int]) -> list[str]:
    """What a published breakdown would give away about individual voters.

    `rows` are (candidate name, {grade: count}) pairs. A unanimous grade tells every voter's choice for
    that candidate; with all but one voter's choices known (told, or their own), any breakdown reveals
    the last one, and in a small branch that is a real risk.
    """
    risks: list[str] = []
    if valid == 0:
        return risks
    if valid < MIN_BALLOTS_FOR_BREAKDOWN:
        risks.append(
            _("有效票只有 %(n)d 张：公示得票明细几乎等于公开每个人的投票。") % {"n": valid}
        )
    unanimous = [name for name, by_grade in rows if valid > 1 and max(by_grade.values(), default=0) == valid]
    if unanimous:
        risks.append(
            _("%(names)s 的得票全部集中在同一等次：公示明细会让每位投票人对其的评价一目了然。")
            % {"names": "、".join(unanimous)}
        )
    lone = [
        name
        for name, by_grade in rows
        if valid > 2 and any(count == 1 for count in by_grade.values()) and max(by_grade.values(), default=0) == valid - 1
    ]
    if lone:
        risks.append(
            _("%(names)s 只有 1 张票与其他票不同：其余投票人的选择一旦为人所知，这 1 张票是谁投的也就清楚了。")
            % {"names": "、".join(lone)}
        )
    committee_total = sum(committee.values())
    if committee_total > 1 and max(committee.values(), default=0) == committee_total:
        risks.append(_("班子测评结果全票一致：公示明细会显示每位投票人的评价。"))
    return risks
