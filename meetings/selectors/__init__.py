"""Reads for the meetings app, one module per phase: plan, study, opinions, forums, talks, self_reviews, record.

Other apps use only the names below; they are the contract between the apps. Code inside meetings imports
from the phase's module (`selectors.talks.talk_list`)."""

from . import forums, opinions, plan, record, self_reviews, study, talks
from .forums import forum_opinion_done
from .plan import meeting_phase
from .record import meeting_record, members_present, record_closed_reason
from .self_reviews import self_reviews_missing
from .talks import talk_coverage, talks_awaiting_confirmation

__all__ = [
    "forum_opinion_done", "meeting_phase", "meeting_record", "members_present", "record_closed_reason",
    "self_reviews_missing", "talk_coverage", "talks_awaiting_confirmation",
    "forums", "opinions", "plan", "record", "self_reviews", "study", "talks",
]
