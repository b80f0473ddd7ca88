from django.db import models
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting


class MeetingTally(models.Model):
    """The dashboard's counts of one meeting (opinions, self-reviews, talks, attendance, criticisms,
    evaluation), kept so that a county page folds 3,000 small rows instead of re-reading 100,000 talks.

    Freshness is a pair of counters, not a flag, so that a write racing with a recount is never lost:
    every write that changes the meeting's figures adds one to `dirty` in its own transaction
    (dashboard.services.tallies_stale, from the models' signals); a recount reads `dirty` BEFORE it
    counts and stores that value in `clean` with the figures. The figures are current while
    clean == dirty; a write committed after the recount read `dirty` leaves them stale, and the next read
    counts again. `computed_at` bounds what signals cannot see (queryset.update): a read counts again the
    tallies older than DASHBOARD_CACHE_SECONDS.
    """

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, primary_key=True, related_name="tally")
    figures = models.JSONField(default=list)  # see dashboard.selectors.TALLY_FIELDS
    dirty = models.PositiveBigIntegerField(default=1)
    clean = models.PositiveBigIntegerField(null=True)
    computed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("会议统计")
        verbose_name_plural = _("会议统计")

    def __str__(self) -> str:
        return f"tally {self.meeting_id}"
