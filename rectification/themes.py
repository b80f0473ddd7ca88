"""Themes of problems (issue 20 item 2): the small published set a county groups problems by, year on year.

Seed 003 names the problems that come back ("理论学习不够", "思想认识不到位"); a county asks which *kinds*
of problem recur, so every line of a problem list carries one theme. The rule is a plain function:
the text is cut into words by the same jieba tokenizer as the repeat matcher (`meetings.quality.words`),
each word votes for a theme — a concept of the matcher (`quality.CONCEPTS`: "读原文" and "系统性" both say
study is shallow) counts 2, a keyword below counts 1 — and the theme with most votes wins (ties: the
order of `Theme`). No vote: 其他. The secretary can correct the tag on the problem list; a corrected tag is
flagged (`Problem.theme_manual`) and never recomputed.

Pure (no database): tests/rectification/test_themes.py checks the rule on the demo's and seeds' wording.
"""

from __future__ import annotations

from collections import Counter

from django.db import models
from django.utils.translation import gettext_lazy as _


class Theme(models.TextChoices):
    STUDY = "study", _("理论学习")
    DISCIPLINE = "discipline", _("政治纪律")
    ORG_LIFE = "org_life", _("组织生活")
    STYLE = "style", _("工作作风")
    SERVICE = "service", _("服务群众")
    INTEGRITY = "integrity", _("廉洁自律")
    INITIATIVE = "initiative", _("担当作为")
    OTHER = "other", _("其他")


# The repeat matcher's concepts (meetings/quality.py CONCEPTS), each under the theme it belongs to.
THEME_OF_CONCEPT: dict[str, str] = {
    "学习": Theme.STUDY, "深入": Theme.STUDY, "学用": Theme.STUDY, "主动学": Theme.STUDY, "本领": Theme.STUDY,
    "政治鉴别": Theme.DISCIPLINE, "党员意识": Theme.DISCIPLINE,
    "组织生活": Theme.ORG_LIFE, "相互批评": Theme.ORG_LIFE, "自我批评": Theme.ORG_LIFE, "党费": Theme.ORG_LIFE,
    "调研": Theme.STYLE, "形式主义": Theme.STYLE, "拖拉": Theme.STYLE, "标准": Theme.STYLE,
    "联系群众": Theme.SERVICE, "群众诉求": Theme.SERVICE, "服务态度": Theme.SERVICE, "办实事": Theme.SERVICE,
    "宴请": Theme.INTEGRITY, "礼品": Theme.INTEGRITY, "节俭": Theme.INTEGRITY, "家属": Theme.INTEGRITY,
    "担当": Theme.INITIATIVE, "创新": Theme.INITIATIVE, "精气神": Theme.INITIATIVE,
}

# Words the concepts do not name (or name for another purpose), one vote each.
KEYWORDS: dict[str, tuple[str, ...]] = {
    Theme.STUDY: ("理论", "读书", "笔记", "心得", "原文", "创新理论", "思想认识", "理论武装", "钻研"),
    Theme.DISCIPLINE: ("政治", "纪律", "政治纪律", "政治规矩", "请示", "报告", "意识形态", "站位", "两个维护",
                       "四个意识", "保密", "规矩", "先锋", "模范"),
    Theme.ORG_LIFE: ("三会一课", "会风", "会纪", "开会", "流动党员", "党员教育", "教育管理", "老好人", "批评",
                     "组织", "制度", "党小组", "党员大会", "流动", "教育"),
    Theme.STYLE: ("作风", "落实", "督促", "差错", "逾期", "报送", "求真务实", "官僚主义", "敷衍", "韧劲",
                  "工作标准", "马虎", "手机", "纪律性"),
    Theme.SERVICE: ("群众", "为民", "服务", "来电", "百姓", "民生", "村民", "居民", "宗旨", "办理"),
    Theme.INTEGRITY: ("廉洁", "廉政", "小节", "八项规定", "公车", "吃喝", "自律", "红包", "警惕"),
    Theme.INITIATIVE: ("畏难", "矛盾", "求稳", "怕乱", "求稳怕乱", "传帮带", "老办法", "干劲", "主动担当",
                       "开拓", "攻坚", "年轻"),
}
THEME_OF_KEYWORD: dict[str, str] = {word: theme for theme, words in KEYWORDS.items() for word in words}
ORDER: dict[str, int] = {value: n for n, value in enumerate(Theme.values)}


def theme_scores(text: str) -> Counter:
    """How many votes each theme gets from the words of `text`."""
    from meetings.quality import CONCEPTS, words

    concept_of = _concept_of(CONCEPTS)
    scores: Counter = Counter()
    for word in words(text):
        concept = concept_of.get(word)
        if concept and concept in THEME_OF_CONCEPT:
            scores[THEME_OF_CONCEPT[concept]] += 2
        if word in THEME_OF_KEYWORD:
            scores[THEME_OF_KEYWORD[word]] += 1
    return scores


def theme_of(text: str) -> str:
    """The theme a problem text is tagged with by the rule (a `Theme` value; 其他 when nothing votes)."""
    scores = theme_scores(text)
    if not scores:
        return Theme.OTHER
    return str(min(scores, key=lambda theme: (-scores[theme], ORDER[theme])))


_CONCEPT_CACHE: dict[int, dict[str, str]] = {}


def _concept_of(concepts: dict[str, tuple[str, ...]]) -> dict[str, str]:
    key = id(concepts)
    if key not in _CONCEPT_CACHE:
        _CONCEPT_CACHE[key] = {word: concept for concept, words in concepts.items() for word in words}
    return _CONCEPT_CACHE[key]
