"""Every reminder rule, one module per source app. The scan runs them in this order."""

from __future__ import annotations

from .base import Due, Rule
from .evaluations import BallotClosingRule, CorrectionEndsRule
from .filings import FilingEventRule
from .meetings import OpinionsCloseRule, PlansDueRule, SelfReviewsDueRule, TalksDueRule
from .notices import (
    ItemEventRule,
    MeetingNoticeRule,
    MeetingTomorrowRule,
    OpinionAnsweredRule,
    OpinionsOpenRule,
    ResultsPublishedRule,
    SelfReviewReviewedRule,
    TalkToConfirmRule,
    VotingOpenRule,
)
from .rectification import FollowUpDueRule, RectificationItemRule
from .rhythm import RhythmDueRule

# Deadlines drawing near (issue 8)
DEADLINE_RULES: list[Rule] = [
    OpinionsCloseRule(),
    TalksDueRule(),
    SelfReviewsDueRule(),
    BallotClosingRule(),
    PlansDueRule(),
    RectificationItemRule(),
    FollowUpDueRule(),
    CorrectionEndsRule(),
    RhythmDueRule(),
]
# Notices of events (issue 16)
NOTICE_RULES: list[Rule] = [
    MeetingNoticeRule(),
    MeetingTomorrowRule(),
    OpinionsOpenRule(),
    SelfReviewReviewedRule(),
    OpinionAnsweredRule(),
    TalkToConfirmRule(),
    VotingOpenRule(),
    ResultsPublishedRule(),
    ItemEventRule(),
    FilingEventRule(),
]
RULES: list[Rule] = DEADLINE_RULES + NOTICE_RULES


def rule_for_kind(kind: str) -> Rule | None:
    for rule in RULES:
        if kind in rule.kinds:
            return rule
    return None


__all__ = ["DEADLINE_RULES", "NOTICE_RULES", "RULES", "Due", "Rule", "rule_for_kind"]
