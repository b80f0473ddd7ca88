import datetime as dt

import factory
from django.utils import timezone

from meetings.models import Meeting
from rectification.models import Problem, RectificationItem


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    year = 2026
    kind = Meeting.Kind.ANNUAL


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    text = factory.Sequence(lambda n: f"问题{n}：理论学习不够系统深入")
    source_kind = Problem.SourceKind.SELF_REVIEW
    source_id = factory.Sequence(lambda n: n + 1)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RectificationItem

    title = factory.Sequence(lambda n: f"整改事项{n}")
    goal = "做到问题清零"
    measures = "每周学习2小时\n每月走访4次"
    deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    commitment = "我承诺按期完成整改"
    branch = factory.LazyAttribute(lambda o: o.responsible.branch)
