import datetime as dt

import factory
from django.utils import timezone

from meetings.models import Meeting, Opinion, SelfReview, SelfReviewProblem, StudySession, Talk


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A meeting in preparation: held in three weeks, opinions open for another week."""

    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    kind = Meeting.Kind.ANNUAL
    year = factory.Sequence(lambda n: 2100 + n)
    held_on = factory.LazyFunction(lambda: days(21))
    place = "会议室"
    opinions_close_on = factory.LazyFunction(lambda: days(7))
    talks_due_on = factory.LazyFunction(lambda: days(14))
    self_reviews_due_on = factory.LazyFunction(lambda: days(18))


class OpinionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opinion

    received_on = factory.LazyFunction(timezone.localdate)
    channel = Opinion.Channel.BOX
    text = factory.Sequence(lambda n: f"第{n}条意见：办事大厅中午没人值班")
    is_anonymous = True


class StudySessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudySession

    held_on = factory.LazyFunction(timezone.localdate)
    topic = "学习党章"


class TalkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Talk

    held_on = factory.LazyFunction(timezone.localdate)
    topics = "交流思想"
    summary = "谈话要点：只有双方和书记能看到"


class SelfReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfReview

    kind = SelfReview.Kind.MEMBER
    root_causes = "宗旨意识淡化"
    measures = "12 月底前完成整改"


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfReviewProblem

    aspect = "坚定理想信念方面"
    text = factory.Sequence(lambda n: f"问题{n}：下村入户少")
