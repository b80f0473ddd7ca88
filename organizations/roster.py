"""The roster spreadsheet: its columns, how a row is read and checked, and how the roster is written out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Member, joined_on_errors

# (header, what it holds) — the header row of the template, in this order.
COLUMNS = [
    (gettext_lazy("姓名"), gettext_lazy("必填，最多50字")),
    (gettext_lazy("性别"), gettext_lazy("必填：男 / 女")),
    (gettext_lazy("学历"), gettext_lazy("必填：研究生 / 本科 / 专科 / 高中及以下")),
    (gettext_lazy("党员类别"), gettext_lazy("正式党员 / 预备党员，空白为正式党员")),
    (gettext_lazy("在职/退休"), gettext_lazy("在职 / 退休，空白为在职")),
    (gettext_lazy("流动党员"), gettext_lazy("是 / 否，空白为否")),
    (gettext_lazy("入党日期"), gettext_lazy("日期，如 2015-07-01，可空")),
    (gettext_lazy("联系电话"), gettext_lazy("可空")),
    (gettext_lazy("党小组"), gettext_lazy("党小组名称，可空；不存在时自动建立")),
    (gettext_lazy("支委职务"), gettext_lazy("书记 / 副书记 / 组织委员 / 纪检委员 / 宣传委员 / 其他支委，可空")),
]

HEADERS = [header for header, _description in COLUMNS]


@dataclass
class RosterRow:
    line: int
    values: dict = field(default_factory=dict)
    party_group: str = ""
    errors: list[str] = field(default_factory=list)


def _label_map(choices) -> dict[str, str]:
    return {str(label): value for value, label in choices}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_row(line: int, cells: list) -> RosterRow:
    cells = list(cells) + [None] * (len(COLUMNS) - len(cells))
    name, sex, edu, category, service, mobile, joined, phone, group, post = cells[: len(COLUMNS)]
    row = RosterRow(line=line)
    err = row.errors.append

    name = _text(name)
    if not name:
        err(_("姓名不能为空"))
    elif len(name) > 50:
        err(_("姓名超过50字"))

    sexes = _label_map(Member.Sex.choices)
    sex = _text(sex)
    if sex not in sexes:
        err(_("性别“%(value)s”无法识别，应为 男 或 女") % {"value": sex})

    educations = _label_map(Member.Education.choices)
    edu = _text(edu)
    if edu not in educations:
        err(_("学历“%(value)s”无法识别，应为 %(options)s") % {"value": edu, "options": " / ".join(educations)})

    categories = _label_map(Member.Category.choices)
    category = _text(category) or str(Member.Category.FULL.label)
    if category not in categories:
        err(_("党员类别“%(value)s”无法识别，应为 正式党员 或 预备党员") % {"value": category})

    service = _text(service) or "在职"
    if service not in ("在职", "退休"):
        err(_("在职/退休“%(value)s”无法识别，应为 在职 或 退休") % {"value": service})

    mobile = _text(mobile) or "否"
    if mobile not in ("是", "否"):
        err(_("流动党员“%(value)s”无法识别，应为 是 或 否") % {"value": mobile})

    joined_on = None
    if isinstance(joined, dt.datetime):
        joined_on = joined.date()
    elif isinstance(joined, dt.date):
        joined_on = joined
    elif _text(joined):
        try:
            joined_on = dt.date.fromisoformat(_text(joined).replace("/", "-").replace(".", "-"))
        except ValueError:
            err(_("入党日期“%(value)s”不是日期，请写成 2015-07-01") % {"value": _text(joined)})
    for problem in joined_on_errors(joined_on):
        err(problem)

    phone = _text(phone)
    if len(phone) > 20:
        err(_("联系电话超过20位"))

    posts = {str(label): value for value, label in Member.Post.choices if value}
    post = _text(post)
    if post and post not in posts:
        err(_("支委职务“%(value)s”无法识别") % {"value": post})

    row.party_group = _text(group)[:100]
    if not row.errors:
        row.values = {
            "name": name,
            "sex": sexes[sex],
            "education": educations[edu],
            "category": categories[category],
            "in_service": service == "在职",
            "is_mobile": mobile == "是",
            "joined_on": joined_on,
            "phone": phone,
            "committee_post": posts.get(post, ""),
        }
    return row


def roster_rows(members) -> list[list]:
    return [
        [
            m.name,
            m.get_sex_display(),
            m.get_education_display(),
            m.get_category_display(),
            "在职" if m.in_service else "退休",
            "是" if m.is_mobile else "否",
            m.joined_on,
            m.phone,
            m.party_group.name if m.party_group else "",
            m.get_committee_post_display() if m.committee_post else "",
        ]
        for m in members
    ]
