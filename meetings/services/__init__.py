"""Writes for the meetings app, one module per phase: plan, study, opinions, forums, talks, self_reviews, record.

No other app writes through these: closing a meeting, which also builds its problem list, is lifecycle's."""

from . import forums, opinions, plan, record, self_reviews, study, talks

__all__ = ["forums", "opinions", "plan", "record", "self_reviews", "study", "talks"]
