"""Demo data for the party-group leaders' duty lists (issue 18 item 3): the township's four template duties
of seed 004 in every group of the demo branch, an area per group, what was done over the last two
quarters (with gaps), and the branch's assessment of the quarter before this one.

Idempotent: run twice, it adds nothing the second time (templates by title, records by duty, day and
note, the assessment by group and quarter)."""

from __future__ import annotations

import datetime as dt

from organizations.models import Organization

from . import duties
from .models import DutyRecord, DutyTemplate, GroupAssessment, GroupDuty

# Seed 004 (草塔镇): "将固定党日活动、卫生保洁、河道养护、党员日常教育培训纳入党小组长责任区域".
TEMPLATES = [
    ("固定党日活动", "每月组织本组党员参加支部主题党日，带头开展志愿服务。"),
    ("卫生保洁", "组织本组党员清扫责任区域内的道路和公共场所，劝导群众不乱扔乱倒。"),
    ("河道养护", "定期巡查责任河段，清理漂浮物和垃圾，发现问题及时报告。"),
    ("党员日常教育培训", "督促本组党员参加集中学习和党课，帮助年老体弱党员送学上门。"),
]
AREAS = ["镇区东街至农贸市场段", "镇区西街至水阜河桥段", "水阜河桥至河口段"]
# (template index, days after the quarter's start, note); per group, per quarter. A missing index is a gap.
RECORDS = [
    (0, 10, "组织本组党员参加主题党日，为敬老院打扫卫生。"),
    (1, 20, "清扫责任区域道路，清运垃圾两车。"),
    (2, 35, "巡查责任河段，清理漂浮物，劝导两户群众不往河里倒垃圾。"),
    (3, 50, "组织本组党员集中学习，为两名年老党员送学上门。"),
    (0, 70, "主题党日开展义务植树。"),
]
GRADES = [GroupAssessment.Grade.GOOD, GroupAssessment.Grade.FAIR, GroupAssessment.Grade.AVERAGE]
COMMENTS = ["各项职责落实到位，河道养护记录完整。", "总体较好，党员教育培训需再加强。", "卫生保洁和河道养护记录不全。"]


def _township_of(branch: Organization) -> Organization:
    """The nearest township above the branch (the branch's parent if there is none)."""
    above = list(branch.get_ancestors())
    townships = [o for o in above if o.level == Organization.Level.TOWNSHIP]
    return townships[-1] if townships else (above[-1] if above else branch)


def seed_duties(*, branch: Organization, today: dt.date) -> None:
    township = _township_of(branch)
    for order, (title, detail) in enumerate(TEMPLATES, start=1):
        if not DutyTemplate.objects.filter(organization=township, title=title).exists():
            duties.duty_template_create(organization=township, title=title, detail=detail, order=order)
    duties.duties_ensure(branch=branch)

    this = duties.Quarter.of(today)
    last = this.previous
    templates = {t.title: t for t in duties.duty_templates_of(organization=township)}
    for g, group in enumerate(duties.groups_of(branch=branch)):
        group_duties = {d.template_id: d for d in GroupDuty.objects.filter(party_group=group, template__isnull=False)}
        by_index = [group_duties.get(templates[title].pk) for title, _detail in TEMPLATES]
        for d in by_index:
            if d is not None and not d.area:
                d.area = AREAS[g % len(AREAS)]
                d.save(update_fields=["area"])
        for q_index, quarter in enumerate((last, this)):
            for n, (i, offset, note) in enumerate(RECORDS):
                if (n + g + q_index) % 4 == 3:  # a gap now and then, not the same one in every group
                    continue
                duty, day = by_index[i], quarter.start + dt.timedelta(days=offset)
                if duty is None or day > today or not duty.is_active:
                    continue
                DutyRecord.objects.get_or_create(duty=duty, done_on=day, note=note)
        GroupAssessment.objects.get_or_create(
            party_group=group, year=last.year, quarter=last.quarter,
            defaults={"grade": GRADES[g % len(GRADES)], "comment": COMMENTS[g % len(COMMENTS)]},
        )
