"""先锋指数 (seed 004): a county's published points over a member's recorded facts (issue 18 item 4).

Off unless the county turns it on (`activities.PioneerIndexSetting`). The index is the sum, over the facts
of the member's year (dashboard.member_year), of count × the county's points per unit — nothing else: never
log-ins, reading time or any app activity (the 2023 rules against "指尖上的形式主义"). Wherever the number
is shown, the rule that made it is shown beside it (`Rule.text`).

The rule is a pure function of the facts; the one write is `pioneer_index_set`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import PioneerIndexSetting
from organizations.models import Organization


@dataclass(frozen=True)
class Fact:
    label: str  # what is counted
    rule: str  # its points per unit, with %(points)s
    field_label: str  # the settings form's label


# The facts a county may weigh, in the order they are shown. Keys are those of MemberYear.facts and of
# PioneerIndexSetting.weights. Each sentence whole (no bare units like "次" to translate on their own).
FACTS: dict[str, Fact] = {
    "attended": Fact(
        gettext_lazy("参加三会一课和主题党日"), gettext_lazy("参加三会一课和主题党日每次 %(points)s 分"),
        gettext_lazy("参加三会一课和主题党日，每次计分"),
    ),
    "service": Fact(
        gettext_lazy("参加主题党日服务"), gettext_lazy("参加主题党日服务每次 %(points)s 分"),
        gettext_lazy("参加主题党日服务，每次计分"),
    ),
    "claimed": Fact(
        gettext_lazy("认领意见"), gettext_lazy("认领意见每条 %(points)s 分"), gettext_lazy("认领意见，每条计分"),
    ),
    "answered": Fact(
        gettext_lazy("认领的意见已答复或解决"), gettext_lazy("认领的意见已答复或解决每条 %(points)s 分"),
        gettext_lazy("认领的意见已答复或解决，每条计分"),
    ),
    "items_on_time": Fact(
        gettext_lazy("整改事项按期销号"), gettext_lazy("整改事项按期销号每项 %(points)s 分"),
        gettext_lazy("整改事项按期销号，每项计分"),
    ),
}
MAX_POINTS = Decimal("100")
STEP = Decimal("0.1")


def to_points(value) -> Decimal | None:
    """A weight as stored (int, float or text) as a Decimal to one decimal place; None when unusable."""
    try:
        points = Decimal(str(value)).quantize(STEP, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not points.is_finite() or points < 0 or points > MAX_POINTS:
        return None
    return points


def points_text(value: Decimal) -> str:
    """12.0 → "12", 2.5 → "2.5"."""
    return f"{value.quantize(STEP):f}".removesuffix(".0")


def clean_weights(raw) -> dict[str, Decimal]:
    """The usable weights of a stored setting: known facts only, each a Decimal in 0–100."""
    raw = raw if isinstance(raw, dict) else {}
    weights = {}
    for fact in FACTS:
        points = to_points(raw.get(fact, 0))
        weights[fact] = points if points is not None else Decimal(0)
    return weights


@dataclass(frozen=True)
class Rule:
    """A county's published rule: the points per unit of each fact, and whose rule it is."""

    source: str
    weights: dict  # fact → Decimal

    @property
    def text(self) -> str:
        parts = [
            str(f.rule) % {"points": points_text(self.weights[key])} for key, f in FACTS.items() if self.weights.get(key)
        ]
        body = "；".join(parts) if parts else _("各项均不计分")
        return _("%(source)s公布的计分规则：%(body)s。只计记录在案的事实，不计登录、阅读时长等线上痕迹。") % {
            "source": self.source,
            "body": body,
        }


@dataclass(frozen=True)
class Part:
    fact: str
    label: str
    count: int
    weight: Decimal
    points: Decimal


@dataclass(frozen=True)
class PioneerIndex:
    rule: Rule
    parts: tuple[Part, ...]
    total: Decimal

    @property
    def total_text(self) -> str:
        return points_text(self.total)


def compute(*, rule: Rule, facts: dict[str, int]) -> PioneerIndex:
    parts = tuple(
        Part(
            fact=fact,
            label=str(f.label),
            count=facts.get(fact, 0),
            weight=rule.weights.get(fact, Decimal(0)),
            points=facts.get(fact, 0) * rule.weights.get(fact, Decimal(0)),
        )
        for fact, f in FACTS.items()
    )
    return PioneerIndex(rule=rule, parts=parts, total=sum((p.points for p in parts), Decimal(0)))


def rules_for(*, branch_paths: set[str]) -> dict[str, Rule]:
    """Per branch path, the rule of the nearest organization on it whose index is turned on (one query);
    paths without one are absent."""
    steplen = Organization.steplen
    prefixes = {p[:end] for p in branch_paths for end in range(steplen, len(p) + 1, steplen)}
    found = {
        path: Rule(source=name, weights=clean_weights(weights))
        for path, name, weights in PioneerIndexSetting.objects.filter(
            enabled=True, organization__path__in=prefixes
        ).values_list("organization__path", "organization__name", "weights")
    }
    rules = {}
    for path in branch_paths:
        for end in range(len(path), 0, -steplen):  # from the branch up: the nearest wins
            if path[:end] in found:
                rules[path] = found[path[:end]]
                break
    return rules


# ---------------------------------------------------------------- the write
def pioneer_index_set(*, organization: Organization, enabled: bool, weights: dict[str, Decimal]) -> PioneerIndexSetting:
    """Turn the organization's 先锋指数 on or off and publish its weights (stored as JSON numbers)."""
    stored = {}
    for fact in FACTS:
        points = to_points(weights.get(fact, 0)) or Decimal(0)
        stored[fact] = int(points) if points == points.to_integral_value() else float(points)
    with transaction.atomic():
        setting, _created = PioneerIndexSetting.objects.select_for_update().get_or_create(organization=organization)
        setting.enabled = enabled
        setting.weights = stored
        setting.full_clean()
        setting.save()
    return setting
