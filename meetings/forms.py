from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branchlife.forms import AttendanceRowsMixin, CleanTextMixin, ModelMultipleChoiceField, SearchField
from branchlife.views import int_or_none
from evaluations.quota import QUOTA_MAX_LENGTH, Quota
from organizations.models import Member, Supervisor
from organizations.selectors import supervisors_in_reach

from . import talks
from .models import AgendaItem, Attendance, Meeting, Opinion, SelfReview, Talk

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")



OPINION_LENGTH_MESSAGES = {
    "min_length": _("意见建议至少写 %(limit_value)d 个字，请把问题说具体一些（现在 %(show_value)d 个字）。"),
    "max_length": _("意见建议最多 %(limit_value)d 个字（现在 %(show_value)d 个字），请精简或分成几条提交。"),
}

class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        post = obj.get_committee_post_display() if obj.committee_post else ""
        return f"{obj.name}（{post}）" if post else obj.name


class MembersField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def branch_members(branch_id):
    return Member.objects.filter(branch_id=branch_id, is_active=True).order_by("name", "id")


class QuotaField(forms.Field):
    """优秀比例上限 as people state it: "30%", "1/3", "三分之一"; empty is no cap (evaluations.policy.Quota).

    Shows its value the way it is typed ("1/3", not 33.33) and, beside the field, how many 优秀 that
    allows; static/js/quota.js updates that count as one types."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("优秀比例上限"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"maxlength": QUOTA_MAX_LENGTH, "autocomplete": "off", "data-quota-ratio": "", "placeholder": _("如 30% 或 1/3")}
        )

    def prepare_value(self, value):
        return value.text if isinstance(value, Quota) else value

    def to_python(self, value):
        return value if isinstance(value, Quota) else Quota.parse(value)

    def describe(self, bound_field, *, candidates: int | None, sentence: str) -> None:
        """The help text: the accepted forms and, for `candidates` people, the resulting number of 优秀 for
        the value shown (none while it does not read: the error says why). `sentence` says whom it counts,
        with %(n)s and %(count)s; quota.js fills in the count as one types."""
        explained = _("可填 30%、1/3 或“三分之一”；留空表示不设上限。")
        no_cap = _("不设上限。")
        self.widget.attrs.update(
            {"data-quota-help": explained, "data-quota-none": no_cap, "data-quota-invalid": _("请填写比例，如 30% 或 1/3。")}
        )
        result = ""
        if candidates is not None:
            self.widget.attrs["data-quota-candidates"] = candidates
            self.widget.attrs["data-quota-sentence"] = sentence % {"n": candidates, "count": "{count}"}
            try:
                quota = Quota.parse(bound_field.value())
            except forms.ValidationError:
                pass
            else:
                result = no_cap if quota is None else sentence % {"n": candidates, "count": quota.count(candidates)}
        # The bound field copied the help text when it was made (to read the value above): set both.
        self.help_text = bound_field.help_text = f"{explained} {result}".strip()


# ---------------------------------------------------------------- the plan
class MeetingForm(CleanTextMixin, forms.ModelForm):
    branch = forms.ModelChoiceField(label=_("党支部"), queryset=None, required=False)
    custom_talk_rules = forms.MultipleChoiceField(
        label=_("自定义必谈规则"), choices=list(talks.RULES.items()), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("仅在“谈心谈话规则”选“自定义”时使用"),
    )
    review_aspects_text = forms.CharField(
        label=_("对照检查的方面"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一个方面；默认是六个方面（参照安岳县青少年宫支部 2020 年度组织生活会）"),
    )
    supervisors = ModelMultipleChoiceField(
        label=_("督导"), queryset=Supervisor.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    recorders = MembersField(
        label=_("记录员"), queryset=Member.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("除书记和督导外，可在会上记录的党员"),
    )
    excellent_quota = QuotaField()

    class Meta:
        model = Meeting
        fields = [
            "kind", "theme", "year", "held_on", "starts_at", "place", "basis",
            "opinions_close_on", "talks_due_on", "self_reviews_due_on", "ballot_closes_at", "rectification_plans_due_on",
            "talk_rule_set", "claim_target_member", "claim_target_committee", "video_link",
        ]
        widgets = {
            "held_on": DATE, "starts_at": TIME, "opinions_close_on": DATE, "talks_due_on": DATE,
            "self_reviews_due_on": DATE, "ballot_closes_at": DATETIME, "rectification_plans_due_on": DATE,
        }

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            del self.fields["branch"]
            branch_id = instance.branch_id
            self.fields["supervisors"].initial = list(instance.supervisors.all())
            self.fields["recorders"].initial = list(instance.recorders.all())
            self.fields["custom_talk_rules"].initial = instance.custom_talk_rules
            self.fields["review_aspects_text"].initial = "\n".join(instance.review_aspects)
        else:
            self.fields["branch"].queryset = branches
            self.fields["branch"].required = True
            only = list(branches[:2]) if branches is not None else []
            if len(only) == 1:
                self.fields["branch"].initial = only[0]
            branch_id = self.data.get("branch") or (only[0].pk if len(only) == 1 else None)
            self.fields["review_aspects_text"].initial = "\n".join(instance.review_aspects)
            # The empty instance's year (None) would win over a field initial.
            self.initial["year"] = self.initial.get("year") or timezone.localdate().year
        if int_or_none(branch_id) is not None:
            self.fields["recorders"].queryset = branch_members(int_or_none(branch_id))
        # A supervisor named here sees the branch's meeting: only those in reach of the branch are offered
        # (and accepted); before a branch is chosen, those in reach of any branch offered.
        offered = [instance.branch] if instance.pk else list(branches if branches is not None else [])
        chosen = [b for b in offered if b.pk == int_or_none(branch_id)]
        self.fields["supervisors"].queryset = supervisors_in_reach(branches=chosen or offered)
        self.initial.setdefault("excellent_quota", instance.excellent_quota)
        members = branch_members(int_or_none(branch_id)).count() if int_or_none(branch_id) is not None else None
        self.fields["excellent_quota"].describe(
            self["excellent_quota"], candidates=members,
            sentence=_("按本支部现有 %(n)s 名党员计，优秀最多 %(count)s 名。"),
        )

    def clean_review_aspects_text(self):
        lines = [line.strip() for line in self.cleaned_data["review_aspects_text"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError(_("请至少填写一个方面。"))
        if any(len(line) > 100 for line in lines):
            raise forms.ValidationError(_("每个方面不超过 100 字。"))
        return lines

    def service_fields(self) -> dict:
        data = {k: self.cleaned_data[k] for k in [*self.Meta.fields, "excellent_quota"]}
        data["custom_talk_rules"] = list(self.cleaned_data.get("custom_talk_rules") or [])
        data["review_aspects"] = self.cleaned_data["review_aspects_text"]
        return data


class MeetingFilterForm(forms.Form):
    q = SearchField(label=_("搜索"), widget=forms.TextInput(attrs={"placeholder": _("支部、主题或地点")}))
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部"))] + Meeting.Kind.choices)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), ("open", _("进行中")), ("closed", _("已召开"))]
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "search": self.cleaned_data["q"].strip(),
            "year": self.cleaned_data["year"],
            "kind": self.cleaned_data["kind"],
            "status": self.cleaned_data["status"],
        }


class ReadyForm(CleanTextMixin, forms.Form):
    note = forms.CharField(
        label=_("未完成事项说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text=_("必谈未全部完成时必须写明原因"),
    )


# ---------------------------------------------------------------- study sessions
class StudySessionForm(CleanTextMixin, forms.Form):
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    topic = forms.CharField(label=_("学习主题"), max_length=200)
    form = forms.CharField(label=_("学习形式"), max_length=100, required=False, help_text=_("如：书记领读、分组讨论、交流发言"))
    materials = forms.CharField(label=_("学习材料"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attendees = MembersField(label=_("参加人员"), queryset=Member.objects.none(), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = branch_members(meeting.branch_id)


# ---------------------------------------------------------------- opinions
class MemberOpinionForm(CleanTextMixin, forms.Form):
    target_member = MemberChoiceField(
        label=_("针对"), queryset=Member.objects.none(), required=False, empty_label=_("支部班子"),
        help_text=_("不选则是对支部班子的意见"),
    )
    text = forms.CharField(
        label=_("意见建议"), min_length=5, max_length=Opinion.MAX_LENGTH, error_messages=OPINION_LENGTH_MESSAGES, widget=forms.Textarea(attrs={"rows": 5, "maxlength": Opinion.MAX_LENGTH})
    )
    is_anonymous = forms.BooleanField(
        label=_("匿名提交"), required=False,
        help_text=_("匿名意见不记录提交人、IP 地址和提交时间（只记日期），提交后连您自己也无法再查到是哪一条。"),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_member"].queryset = branch_members(meeting.branch_id)


class PublicOpinionForm(CleanTextMixin, forms.Form):
    text = forms.CharField(
        label=_("您的意见建议"), min_length=5, max_length=Opinion.MAX_LENGTH, error_messages=OPINION_LENGTH_MESSAGES,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": Opinion.MAX_LENGTH}),
        help_text=_("5 至 1000 字"),
    )
    target_text = forms.CharField(
        label=_("针对的党员或班子（可不填）"), max_length=50, required=False,
        widget=forms.TextInput(attrs={"maxlength": 50}),
    )
    author_label = forms.CharField(
        label=_("署名（可不填）"), max_length=50, required=False, widget=forms.TextInput(attrs={"maxlength": 50}),
        help_text=_("不填即为匿名：系统不记录您的姓名、IP 地址或提交时间。"),
    )
    # A field people never see: bots fill it in.
    website = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)


class OfflineOpinionForm(CleanTextMixin, forms.Form):
    # Forum opinions are recorded on their forum's page, so that every one is counted with its forum.
    channel = forms.ChoiceField(
        label=_("渠道"),
        choices=[(c, Opinion.Channel(c).label) for c in Opinion.OFFLINE_CHANNELS if c != Opinion.Channel.FORUM],
    )
    received_on = forms.DateField(label=_("收到日期"), widget=DATE, initial=timezone.localdate)
    text = forms.CharField(
        label=_("意见建议"), min_length=5, max_length=Opinion.MAX_LENGTH, error_messages=OPINION_LENGTH_MESSAGES, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_anonymous = forms.BooleanField(label=_("匿名"), required=False, initial=True)
    author_label = forms.CharField(label=_("提出人（署名时）"), max_length=50, required=False)
    target_member = MemberChoiceField(label=_("针对"), queryset=Member.objects.none(), required=False, empty_label=_("支部班子"))
    category = forms.ChoiceField(label=_("类别"), choices=[("", _("未分类"))] + Opinion.Category.choices, required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_member"].queryset = branch_members(meeting.branch_id)


class OpinionSortForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=[("", _("未分类"))] + Opinion.Category.choices, required=False)
    target_member = MemberChoiceField(label=_("针对"), queryset=Member.objects.none(), required=False, empty_label=_("支部班子"))
    merged_into = forms.ChoiceField(label=_("与哪条意见重复（合并）"), required=False)

    def __init__(self, *args, opinion, **kwargs):
        super().__init__(*args, **kwargs)
        self.opinion = opinion
        self.fields["target_member"].queryset = branch_members(opinion.meeting.branch_id)
        others = (
            Opinion.objects.filter(meeting_id=opinion.meeting_id, merged_into__isnull=True)
            .exclude(pk=opinion.pk)
            .order_by("received_on", "sort_key")
        )
        self._others = {str(o.pk): o for o in others}
        self.fields["merged_into"].choices = [("", _("不重复"))] + [(k, o.text[:40]) for k, o in self._others.items()]

    def clean_merged_into(self):
        value = self.cleaned_data.get("merged_into")
        return self._others.get(value) if value else None


class OpinionAnswerForm(CleanTextMixin, forms.Form):
    answer = forms.CharField(label=_("答复/办理情况"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    status = forms.ChoiceField(label=_("状态"), choices=Opinion.Status.choices)


# ---------------------------------------------------------------- forums (座谈会)
class SupervisorsField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.title}）" if obj.title else obj.name


class ForumForm(CleanTextMixin, forms.Form):
    held_on = forms.DateField(label=_("召开日期"), widget=DATE, initial=timezone.localdate)
    topic = forms.CharField(label=_("座谈主题"), max_length=200)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    member_participants = forms.IntegerField(label=_("党员参加人数"), min_value=0, max_value=100000)
    other_participants = forms.IntegerField(
        label=_("群众等其他人员"), min_value=0, max_value=100000, initial=0, help_text=_("群众、服务对象等，没有可填 0")
    )
    supervisors = SupervisorsField(
        label=_("参加的督导"), queryset=Supervisor.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("本次会议或本支部的督导"),
    )
    notes = forms.CharField(label=_("备注"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, supervisors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = supervisors
        if not supervisors.exists():
            del self.fields["supervisors"]


class ForumOpinionForm(CleanTextMixin, forms.Form):
    """The quick form on a forum's page: one opinion heard there, perhaps answered on the spot."""

    STATUS_CHOICES = [
        ("", _("未当场答复（待办理）")),
        (Opinion.Status.ANSWERED, _("当场答复")),
        (Opinion.Status.RESOLVED, _("已解决")),
    ]

    text = forms.CharField(
        label=_("意见建议"), min_length=5, max_length=Opinion.MAX_LENGTH, error_messages=OPINION_LENGTH_MESSAGES,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": Opinion.MAX_LENGTH}),
    )
    category = forms.ChoiceField(label=_("类别"), choices=[("", _("未分类"))] + Opinion.Category.choices, required=False)
    target_member = MemberChoiceField(label=_("针对"), queryset=Member.objects.none(), required=False, empty_label=_("支部班子"))
    status = forms.ChoiceField(label=_("当场答复"), choices=STATUS_CHOICES, required=False)
    answer = forms.CharField(
        label=_("答复/办理情况"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("当场答复或已经解决的，写明答复内容"),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_member"].queryset = branch_members(meeting.branch_id)

    def clean(self):
        data = super().clean()
        if data.get("answer", "").strip() and not data.get("status"):
            # "未当场答复" with an answer typed is ambiguous; the figures count only what was answered.
            self.add_error("status", _("填写了答复，请选择“当场答复”或“已解决”；未当场答复的请不要填写答复。"))
        return data


class OpinionFilterForm(forms.Form):
    q = SearchField(label=_("搜索"), widget=forms.TextInput(attrs={"placeholder": _("内容或答复")}))
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=[("", _("全部"))] + Opinion.Channel.choices)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + Opinion.Status.choices)
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部")), ("none", _("未分类"))] + Opinion.Category.choices
    )
    target = forms.ChoiceField(label=_("针对"), required=False)
    claimed = forms.ChoiceField(label=_("认领"), required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        people = [(str(m.pk), m.name) for m in members]
        self.fields["target"].choices = [("", _("全部")), ("committee", _("支部班子"))] + people
        self.fields["claimed"].choices = [("", _("全部")), ("no", _("无人认领")), ("yes", _("已有人认领"))] + [
            (k, _("%(name)s 认领的") % {"name": n}) for k, n in people
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "search": d["q"].strip(), "channel": d["channel"], "status": d["status"], "category": d["category"],
            "target": d["target"], "claimed": d["claimed"],
        }


# ---------------------------------------------------------------- talks
class TalkForm(CleanTextMixin, forms.Form):
    member_a = MemberChoiceField(label=_("谈话人"), queryset=Member.objects.none())
    member_b = MemberChoiceField(label=_("谈话对象（本支部党员）"), queryset=Member.objects.none(), required=False, empty_label=_("—— 支部以外的对象 ——"))
    other_kind = forms.ChoiceField(label=_("支部以外的对象"), choices=Talk.Other.choices, required=False)
    other_name = forms.CharField(label=_("对象姓名/单位"), max_length=100, required=False)
    held_on = forms.DateField(label=_("谈话日期"), widget=DATE, initial=timezone.localdate)
    topics = forms.CharField(label=_("谈话主题"), max_length=300)
    summary = forms.CharField(
        label=_("谈话要点"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("只有谈话双方和支部书记能看到"),
    )

    def __init__(self, *args, meeting, fixed_member=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = branch_members(meeting.branch_id)
        self.fields["member_a"].queryset = members
        self.fields["member_b"].queryset = members
        self.fixed_member = fixed_member
        if fixed_member is not None:
            self.fields["member_a"].initial = fixed_member.pk
            self.fields["member_a"].disabled = True

    def clean(self):
        data = super().clean()
        a, b, kind = data.get("member_a"), data.get("member_b"), data.get("other_kind")
        if self.fixed_member is not None and a and b and self.fixed_member.pk not in (a.pk, b.pk):
            self.add_error("member_b", _("只能记录自己参加的谈话。"))
        if not b and not kind:
            self.add_error("member_b", _("请选择谈话对象，或选择支部以外的对象类型。"))
        if a and b and a.pk == b.pk:
            self.add_error("member_b", _("不能与自己谈话。"))
        return data


class TalkDisputeForm(CleanTextMixin, forms.Form):
    """未进行/有异议 on a talk the other side recorded, with an optional short note."""

    note = forms.CharField(
        label=_("说明（可不填）"), max_length=Talk._meta.get_field("dispute_note").max_length, required=False,
    )


class TalkFilterForm(forms.Form):
    q = SearchField(label=_("搜索"), widget=forms.TextInput(attrs={"placeholder": _("姓名或主题")}))
    member = forms.ChoiceField(label=_("党员"), required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("全部"))] + [(str(m.pk), m.name) for m in members]


# ---------------------------------------------------------------- self-reviews
class SelfReviewForm(CleanTextMixin, forms.Form):
    root_causes = forms.CharField(label=_("原因剖析"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
    measures = forms.CharField(label=_("整改措施"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
    direction = forms.CharField(label=_("努力方向"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ProblemForm(CleanTextMixin, forms.Form):
    aspect = forms.ChoiceField(label=_("方面"), required=False)
    text = forms.CharField(label=_("存在问题"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    measure = forms.CharField(label=_("整改措施"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, aspects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aspect"].choices = [("", _("请选择方面"))] + [(a, a) for a in aspects]


ProblemFormSet = forms.formset_factory(ProblemForm, extra=0, max_num=50, absolute_max=60, validate_max=True)


class ReviewDecisionForm(CleanTextMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核"), choices=[("approve", _("审核通过")), ("return", _("退回修改"))], widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class SelfReviewFilterForm(forms.Form):
    q = SearchField(label=_("搜索"), widget=forms.TextInput(attrs={"placeholder": _("姓名")}))
    status = forms.ChoiceField(
        label=_("状态"), required=False,
        choices=[("", _("全部")), ("missing", _("未提交（含草稿、退回）"))] + SelfReview.Status.choices,
    )


# ================================================================ issue 5
class AttendanceForm(AttendanceRowsMixin, CleanTextMixin, forms.Form):
    supervisors_present = ModelMultipleChoiceField(
        label=_("到会督导"), queryset=Supervisor.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, meeting, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors_present"].queryset = meeting.supervisors.all()
        self.fields["supervisors_present"].initial = list(meeting.supervisors_present.all())
        self.add_attendance_rows(
            members=members, existing={a.member_id: a for a in meeting.attendance.all()},
            choices=Attendance.Status.choices, attended=Attendance.ATTENDED,
        )

    def clean(self):
        data = super().clean()
        self.clean_attendance(data)
        return data

    def rows(self):
        from .services import AttendanceInput

        return [AttendanceInput(member=m, status=status, reason=reason) for m, status, reason in self.attendance_rows()]


class AgendaItemForm(CleanTextMixin, forms.Form):
    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("议程"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=AgendaItem.Kind.choices, required=False)


AgendaFormSet = forms.formset_factory(AgendaItemForm, extra=1, can_order=True, can_delete=True, max_num=20, absolute_max=30)


class RecordEntryForm(CleanTextMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("criticism", _("批评")), ("claim", _("当场认领")), ("commitment", _("承诺"))])
    member = forms.CharField(required=False, max_length=20)  # receiver / claimant / committer; "" = the committee
    giver = forms.CharField(required=False, max_length=20)
    giver_label = forms.CharField(label=_("提出人"), required=False, max_length=100)
    text = forms.CharField(label=_("内容"), max_length=5000, required=False)
    criticism = forms.IntegerField(required=False)
    due_on = forms.DateField(label=_("完成时限"), required=False, widget=DATE)
    client_id = forms.UUIDField(required=False)
    agenda_item = forms.IntegerField(required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not (data.get("kind") == "claim" and data.get("criticism")):
            self.add_error("text", _("请填写内容。"))
        return data


class NextStepsForm(CleanTextMixin, forms.Form):
    next_steps = forms.CharField(
        label=_("下一步工作打算"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一条，写入情况报告"),
    )
