"""Forms for the meetings app, one module per phase; `fields` holds what they share. Other apps use QuotaField."""

from . import fields, forums, opinions, plan, record, self_reviews, study, talks
from .fields import QuotaField

__all__ = ["QuotaField", "fields", "forums", "opinions", "plan", "record", "self_reviews", "study", "talks"]
