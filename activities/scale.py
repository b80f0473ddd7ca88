"""A county's year of 三会一课 and 主题党日 in bulk (issue 18 item 6), for seed_scale and the benchmarks."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from organizations.models import Organization
from organizations.scale import _step

from .demo import year_of_activities
from .models import Activity


def build_year(*, county: Organization, today: dt.date, seed: int = 2026) -> tuple[int, int]:
    """A party group in every fourth branch, and records from January of last year to today, each branch
    keeping its rhythm with its own diligence (60–100 %), so there are gaps and ranks differ.
    No rolls: attendance rows at this size would be millions and no benchmark reads them.
    Returns (groups, activities) made."""
    rng = random.Random(seed)
    branches = list(Organization.objects.filter(path__startswith=county.path, level=Organization.Level.BRANCH).order_by("path"))
    with transaction.atomic():
        groups = Organization.objects.bulk_create(
            [Organization(name="第一党小组", level=Organization.Level.GROUP, path=b.path + _step(1), depth=b.depth + 1, numchild=0)
             for b in branches[::4] if b.numchild == 0],
            batch_size=1000,
        )
        Organization.objects.filter(path__in=[g.path[: -Organization.steplen] for g in groups]).update(numchild=1)
    group_of = {g.path[: -Organization.steplen]: g.pk for g in Organization.objects.filter(path__in=[g.path for g in groups])}
    start, total, batch = dt.date(today.year - 1, 1, 1), 0, []
    for b in branches:
        batch += year_of_activities(
            branch_id=b.pk, groups=[group_of[b.path]] if b.path in group_of else [], start=start, end=today,
            diligence=rng.uniform(0.6, 1.0), rng=rng,
        )
        if len(batch) >= 5000:
            total += len(Activity.objects.bulk_create(batch, batch_size=5000))
            batch = []
    total += len(Activity.objects.bulk_create(batch, batch_size=5000))
    return len(groups), total
