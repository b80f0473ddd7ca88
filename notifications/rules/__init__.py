"""Every reminder rule, one module per source app. The scan runs them in this order."""

from __future__ import annotations

from .base import Due, Rule
from .evaluations import BallotClosingRule, CorrectionEndsRule
from .meetings import OpinionsCloseRule, PlansDueRule, SelfReviewsDueRule, TalksDueRule
from .rectification import FollowUpDueRule, RectificationItemRule

RULES: list[Rule] = [
    OpinionsCloseRule(),
    TalksDueRule(),
    SelfReviewsDueRule(),
    BallotClosingRule(),
    PlansDueRule(),
    RectificationItemRule(),
    FollowUpDueRule(),
    CorrectionEndsRule(),
]


def rule_for_kind(kind: str) -> Rule | None:
    for rule in RULES:
        if kind in rule.kinds:
            return rule
    return None


__all__ = ["RULES", "Due", "Rule", "rule_for_kind"]
