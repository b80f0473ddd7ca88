from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting
from organizations.models import Organization


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


class Rollup(models.Model):
    """The dashboard's figures of one organization node for one season, so that a province page reads its
    node and its children (a few dozen rows) instead of folding 30,000 branches (dashboard.rollups).

    A branch's row holds its BranchRow (figures, flags, score); any other node's row holds the Totals of
    every branch under it, the sum of its children's rows. Freshness is the pair of counters of
    MeetingTally: every write that changes a branch's figures adds one to the BRANCH row's `dirty` in the
    writer's own transaction (only that row: writers never queue on a county's or the province's row); a
    recount reads `dirty` before it counts and stores it in `clean`. A recount of branches adds one to the
    `dirty` of every node above them in its own transaction, so the nodes are summed again from their
    children. `day` is the day the flags and scores were computed for: a row of another day is stale.

    `path` and `depth` copy the node's (written with every recount) so that a subtree's rows are one
    index range; the tree is never moved by the app (treebeard's move would need "重新统计").
    """

    node = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10)  # Meeting.Kind
    path = models.CharField(max_length=255)
    depth = models.PositiveIntegerField()
    is_branch = models.BooleanField()
    day = models.DateField(null=True)
    figures = models.JSONField(default=list)  # see dashboard.rollups
    # A branch's sortable figures (the lists behind the front page page through them in SQL).
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    flags = models.BigIntegerField(default=0)  # bit i: the i-th reason of scoring.FLAGS
    held = models.BooleanField(default=False)
    evaluated = models.BooleanField(default=False)
    talks_percent = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    reviews_percent = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    items_overdue = models.PositiveIntegerField(default=0)
    dirty = models.PositiveBigIntegerField(default=1)
    clean = models.PositiveBigIntegerField(null=True)
    computed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("看板汇总")
        verbose_name_plural = _("看板汇总")
        constraints = [models.UniqueConstraint(fields=["node", "year", "kind"], name="dashboard_rollup_node_season")]
        indexes = [
            # A subtree's rows, and a node's children (depth + 1): one range each.
            models.Index(fields=["year", "kind", "depth", "path"], name="dashboard_rollup_level"),
            # The branches' lists and ranks: the subtree's range in tree order, with what they filter and sort
            # on (an index-only scan on PostgreSQL; the figures are read for the page's rows alone).
            # (Key columns rather than INCLUDE, which SQLite lacks.)
            models.Index(
                fields=["year", "kind", "path", "id", "score", "flags", "held", "evaluated", "talks_percent",
                        "reviews_percent", "items_overdue", "node"],
                name="dashboard_rollup_branches", condition=Q(is_branch=True),
            ),
            # What is stale (dirty ahead of clean): a handful of rows however big the province. An index on
            # the difference, not a partial index on clean <> dirty: ANALYZE then knows how few rows are
            # stale (PostgreSQL prices a comparison of two columns as matching nearly every row).
            models.Index(F("year"), F("kind"), F("dirty") - Coalesce(F("clean"), 0), name="dashboard_rollup_stale"),
            # "The ten branches furthest behind": the lowest scores among the flagged branches.
            models.Index(
                fields=["year", "kind", "score", "path"], name="dashboard_rollup_behind",
                condition=Q(is_branch=True) & ~Q(flags=0),
            ),
            # Rows counted for another day (flags and scores depend on the date) or longer ago than the
            # rollups' age bound (what signals cannot see).
            models.Index(fields=["year", "kind", "day"], name="dashboard_rollup_day"),
            models.Index(fields=["year", "kind", "computed_at"], name="dashboard_rollup_age"),
        ]

    def __str__(self) -> str:
        return f"rollup {self.node_id} {self.year} {self.kind}"
