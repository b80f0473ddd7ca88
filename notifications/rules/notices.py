"""Notices: something happened that people need to know (issue 16 item 2), as opposed to a deadline
drawing near. They travel like the reminders (one row per person per event by the unique constraint,
re-checked at send time, quiet hours for email, SMS and robots); what makes each one a distinct event
is its `due_date`: the meeting's date for a meeting notice (a moved meeting is announced again), the
day of the review, answer, opening or publication otherwise. Events older than NOTICE_LOOKBACK_DAYS are
not announced (the first scan after an upgrade must not send a year of history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.selectors import talks_awaiting_confirmation

from ..models import Kind
from .base import Due, Rule, branch_members, fmt_date, fmt_time, link, lookback_start, with_accounts


# ---------------------------------------------------------------- the meeting
def meeting_details(meeting) -> str:
    """会议通知's body: when, where, the agenda and what to prepare."""
    when = fmt_date(meeting.held_on) + (f" {fmt_time(meeting.starts_at)}" if meeting.starts_at else "")
    lines = [_("时间：%(when)s") % {"when": when}]
    if meeting.place:
        lines.append(_("地点：%(place)s") % {"place": meeting.place})
    if meeting.video_link:
        lines.append(_("远程参会（视频会议）：%(link)s") % {"link": meeting.video_link})
    agenda = [item.title for item in meeting.agenda_items.all()]
    if agenda:
        lines.append(_("议程：") + "；".join(f"{i}. {title}" for i, title in enumerate(agenda, 1)))
    prepare = []
    if meeting.opinions_close_on:
        prepare.append(_("%(date)s前提出意见建议") % {"date": fmt_date(meeting.opinions_close_on)})
    if meeting.talks_due_on:
        prepare.append(_("%(date)s前完成谈心谈话") % {"date": fmt_date(meeting.talks_due_on)})
    if meeting.self_reviews_due_on:
        prepare.append(_("%(date)s前提交对照检查材料") % {"date": fmt_date(meeting.self_reviews_due_on)})
    if prepare:
        lines.append(_("会前准备：") + "；".join(prepare) + "。")
    return "\n".join(lines)


class MeetingRule(Rule):
    """Notices to everyone on the branch's roll about an upcoming meeting that is not closed."""

    subject_model = "meetings.meeting"

    def meetings(self, *, today: dt.date, subject):
        from meetings.models import Meeting

        qs = Meeting.objects.filter(closed_at__isnull=True).select_related("branch").prefetch_related("agenda_items")
        if subject is not None:
            qs = qs.filter(pk=subject.pk)
        return self.select(qs, today=today).order_by("id")

    def select(self, qs, *, today: dt.date):
        raise NotImplementedError

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        meetings = list(self.meetings(today=today, subject=subject))
        members = branch_members(m.branch_id for m in meetings)
        prepared = self.prepare(meetings)
        for meeting in meetings:
            title, body, due_date = self.message(meeting=meeting, today=today, prepared=prepared)
            for member in members.get(meeting.branch_id, []):
                yield Due(member.user_id, self.kinds[0], meeting, due_date, title, body, self.url(meeting))

    def prepare(self, meetings: list):
        """What the messages need of all the meetings at once (one query, not one per meeting)."""
        return None

    def url(self, meeting) -> str:
        return link("meetings:meeting_detail", meeting.pk, fallback="meetings:my_home")


class MeetingNoticeRule(MeetingRule):
    """会议通知: as soon as a meeting has a date; again (会议改期) when the date changes."""

    name = "meeting_notice"
    kinds = (Kind.MEETING_NOTICE,)

    def select(self, qs, *, today):
        return qs.filter(held_on__gte=today)

    def prepare(self, meetings):
        """(meeting id, date) of every notice already recorded for these meetings: one for another date
        than the meeting's now means it moved."""
        from ..models import ReminderDelivery

        if not meetings:
            return set()
        announced = ReminderDelivery.objects.filter(
            kind=Kind.MEETING_NOTICE,
            subject_type=ContentType.objects.get_for_model(meetings[0]),
            subject_id__in=[m.pk for m in meetings],
        )
        return set(announced.values_list("subject_id", "due_date").distinct())

    def message(self, *, meeting, today, prepared):
        moved = any(pk == meeting.pk and day != meeting.held_on for pk, day in prepared)
        context = {"meeting": meeting, "date": fmt_date(meeting.held_on)}
        title = (_("会议改期通知：%(meeting)s改在%(date)s召开") if moved else _("会议通知：%(meeting)s定于%(date)s召开")) % context
        return title, meeting_details(meeting), meeting.held_on


class MeetingTomorrowRule(MeetingRule):
    """The day before the meeting."""

    name = "meeting_tomorrow"
    kinds = (Kind.MEETING_TOMORROW,)

    def select(self, qs, *, today):
        return qs.filter(held_on=today + dt.timedelta(days=1))

    def message(self, *, meeting, today, prepared):
        title = _("明天召开%(meeting)s") % {"meeting": meeting}
        return title, meeting_details(meeting), meeting.held_on


class OpinionsOpenRule(MeetingRule):
    """征求意见开始: while opinions are being collected (until the closing date)."""

    name = "opinions_open"
    kinds = (Kind.OPINIONS_OPEN,)

    def select(self, qs, *, today):
        return qs.filter(opinions_close_on__gte=today)

    def message(self, *, meeting, today, prepared):
        context = {"meeting": meeting, "date": fmt_date(meeting.opinions_close_on)}
        return (
            _("%(meeting)s开始征求意见，%(date)s截止") % context,
            _("请在%(date)s前向支部班子和党员个人提出意见建议，可以署名，也可以匿名。") % context,
            meeting.opinions_close_on,
        )

    def url(self, meeting) -> str:
        return link("meetings:opinion_new", meeting.pk, fallback="meetings:my_home")


# ---------------------------------------------------------------- one member's own business
class SelfReviewReviewedRule(Rule):
    """对照检查材料 returned (with the secretary's reason) or approved: to its author."""

    name = "self_review_reviewed"
    kinds = (Kind.SELF_REVIEW_RETURNED, Kind.SELF_REVIEW_APPROVED)
    subject_model = "meetings.selfreview"

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        from meetings.models import SelfReview

        statuses = {SelfReview.Status.RETURNED: Kind.SELF_REVIEW_RETURNED, SelfReview.Status.APPROVED: Kind.SELF_REVIEW_APPROVED}
        qs = SelfReview.objects.filter(
            kind=SelfReview.Kind.MEMBER,
            status__in=list(statuses),
            reviewed_at__gte=lookback_start(now),
            meeting__closed_at__isnull=True,
        ).select_related("member", "meeting__branch")
        if subject is not None:
            qs = qs.filter(pk=subject.pk)
        for review in qs.order_by("id"):
            member = review.member
            if member is None or not next(with_accounts([member]), None):
                continue
            kind = statuses[review.status]
            context = {"meeting": review.meeting, "comment": review.secretary_comment or _("（无）")}
            if kind == Kind.SELF_REVIEW_RETURNED:
                title = _("您的对照检查材料被退回修改")
                body = _("%(meeting)s：书记退回了您的对照检查材料。退回原因：%(comment)s") % context
            else:
                title = _("您的对照检查材料已审核通过")
                body = _("%(meeting)s：您的对照检查材料已审核通过。审核意见：%(comment)s") % context
            yield Due(
                member.user_id,
                kind,
                review,
                timezone.localdate(review.reviewed_at),
                title,
                body,
                link("meetings:selfreview_mine", review.meeting_id, fallback="meetings:my_home"),
            )


class OpinionAnsweredRule(Rule):
    """An answer to a signed opinion, to its author (one notice per meeting and day, however many were
    answered). An anonymous opinion has no author to tell: the app never knew who wrote it."""

    name = "opinion_answered"
    kinds = (Kind.OPINION_ANSWERED,)
    subject_model = "meetings.meeting"

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        from meetings.models import Opinion

        qs = (
            Opinion.objects.filter(
                author_member__isnull=False,
                is_anonymous=False,
                answered_on__gte=timezone.localdate(lookback_start(now)),
                meeting__closed_at__isnull=True,
            )
            .exclude(answer="")
            .select_related("author_member", "meeting__branch")
        )
        if subject is not None:
            qs = qs.filter(meeting_id=subject.pk)
        groups: dict[tuple, list] = {}
        for opinion in qs.order_by("answered_on", "received_on"):
            groups.setdefault((opinion.author_member_id, opinion.meeting_id, opinion.answered_on), []).append(opinion)
        for (_member_id, _meeting_id, day), opinions in groups.items():
            member, meeting = opinions[0].author_member, opinions[0].meeting
            if not next(with_accounts([member]), None):
                continue
            body = "\n".join(
                _("您的意见：%(text)s\n答复：%(answer)s") % {"text": o.text[:100], "answer": o.answer} for o in opinions
            )
            yield Due(
                member.user_id,
                Kind.OPINION_ANSWERED,
                meeting,
                day,
                _("您提出的 %(n)s 条意见建议已有答复") % {"n": len(opinions)},
                body,
                link("meetings:my_home"),
            )


class TalkToConfirmRule(Rule):
    """A talk the other side recorded with you: confirm it, or say it did not happen (issue 16 item 5)."""

    name = "talk_to_confirm"
    kinds = (Kind.TALK_TO_CONFIRM,)
    subject_model = "meetings.talk"

    def collect(self, *, now, today, subject) -> Iterable[Due]:

        talks = talks_awaiting_confirmation()
        if subject is not None:
            talks = talks.filter(pk=subject.pk)
        for talk in talks:
            confirmer = talk.member_b if talk.confirmer_id == talk.member_b_id else talk.member_a
            if confirmer.branch_id != talk.meeting.branch_id or not next(with_accounts([confirmer]), None):
                continue
            recorder = talk.member_a if confirmer is talk.member_b else talk.member_b
            context = {"name": recorder.name, "date": fmt_date(talk.held_on), "topics": talk.topics}
            yield Due(
                confirmer.user_id,
                Kind.TALK_TO_CONFIRM,
                talk,
                talk.held_on,
                _("请确认与%(name)s的谈心谈话") % context,
                _("%(name)s记录了%(date)s与您的谈心谈话（主题：%(topics)s）。请在“我的待办”中确认，或说明未进行。") % context,
                link("meetings:my_home") + f"#todo-confirm-{talk.meeting_id}",
            )


# ---------------------------------------------------------------- democratic evaluation
class VotingOpenRule(Rule):
    """民主测评开始投票: to the voters who have not voted (from the participation record, never a ballot)."""

    name = "voting_open"
    kinds = (Kind.VOTING_OPEN,)
    subject_model = "evaluations.evaluation"

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        from evaluations.selectors import open_evaluations, voters_not_voted

        evaluations = open_evaluations(now=now)
        if subject is not None:
            evaluations = evaluations.filter(pk=subject.pk)
        for evaluation in evaluations:
            closes = timezone.localtime(evaluation.closes_at)
            context = {"meeting": evaluation.meeting, "when": f"{fmt_date(closes.date())} {closes:%H:%M}"}
            title = _("民主测评已开始投票，%(when)s截止") % context
            body = _("%(meeting)s的民主评议党员已开始网上投票，%(when)s截止。投票无记名，任何人都无法知道您投了什么。") % context
            url = link("evaluations:vote", evaluation.pk, fallback="meetings:my_home")
            opened = timezone.localdate(evaluation.opens_at)
            for member in with_accounts(voters_not_voted(evaluation=evaluation)):
                yield Due(member.user_id, Kind.VOTING_OPEN, evaluation, opened, title, body, url)


class ResultsPublishedRule(Rule):
    """评定结果公示: to each member evaluated, until they acknowledge their own result."""

    name = "results_published"
    kinds = (Kind.RESULTS_PUBLISHED,)
    subject_model = "evaluations.evaluation"

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        from evaluations.models import Candidate

        qs = Candidate.objects.filter(
            evaluation__published_at__gte=lookback_start(now), acknowledged_at__isnull=True
        ).select_related("member", "evaluation__meeting__branch")
        if subject is not None:
            qs = qs.filter(evaluation_id=subject.pk)
        for candidate in qs.order_by("evaluation_id", "id"):
            if not next(with_accounts([candidate.member]), None):
                continue
            evaluation = candidate.evaluation
            yield Due(
                candidate.member.user_id,
                Kind.RESULTS_PUBLISHED,
                evaluation,
                timezone.localdate(evaluation.published_at),
                _("民主评议结果已公示，请查看并确认"),
                _("%(meeting)s的民主评议结果已经公示。请登录查看本人的评定等次和支部的反馈意见，并点击“确认”。")
                % {"meeting": evaluation.meeting},
                link("evaluations:my_result", evaluation.pk, fallback="meetings:my_home"),
            )


# ---------------------------------------------------------------- rectification
class ItemEventRule(Rule):
    """整改事项 assigned, verified (销号) or sent back: to the member responsible, from the item's history
    (one notice per event), unless they did it themselves."""

    name = "item_events"
    kinds = (Kind.ITEM_ASSIGNED, Kind.ITEM_VERIFIED, Kind.ITEM_SENT_BACK)
    subject_model = "rectification.itemhistory"

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        from rectification.models import ItemHistory

        kinds = {
            ItemHistory.Action.CREATED: Kind.ITEM_ASSIGNED,
            ItemHistory.Action.CLOSED: Kind.ITEM_VERIFIED,
            ItemHistory.Action.REOPENED: Kind.ITEM_SENT_BACK,
        }
        qs = ItemHistory.objects.filter(action__in=list(kinds), at__gte=lookback_start(now)).select_related(
            "item__responsible"
        )
        if subject is not None:
            qs = qs.filter(pk=subject.pk)
        for event in qs.order_by("id"):
            item, member = event.item, event.item.responsible
            if event.actor_id and event.actor_id == member.user_id:
                continue
            if not next(with_accounts([member]), None):
                continue
            kind = kinds[event.action]
            context = {"title": item.title, "date": fmt_date(item.deadline), "detail": event.detail}
            if kind == Kind.ITEM_ASSIGNED:
                if item.closed_at is not None:
                    continue
                title = _("整改事项：%(title)s") % context
                body = _("您是整改事项“%(title)s”的责任人，完成时限%(date)s。请按整改措施推进，并及时填报进展。") % context
            elif kind == Kind.ITEM_VERIFIED:
                title = _("整改事项已核验销号：%(title)s") % context
                body = _("您负责的整改事项“%(title)s”已核验销号。%(detail)s") % context
            else:
                title = _("整改事项被退回：%(title)s") % context
                body = _("您负责的整改事项“%(title)s”被退回重新整改。%(detail)s") % context
            yield Due(
                member.user_id,
                kind,
                event,
                timezone.localdate(event.at),
                title,
                body,
                link("rectification:item_detail", item.pk, fallback="rectification:my_items"),
            )
