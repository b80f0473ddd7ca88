"""Quality hints for what members write (seed 003), kept in one place for self-reviews and criticisms.

1. Vague measures. Seed 003: "能'一定'就不说'尽量',能'确保'就不写'争取'". VAGUE_WORDS is the one list.
2. Old problems. Seed 003 warns against "老问题" repeated every year ("理论学习不够"). A problem or
   criticism repeats when it matches one from the same member's self-review (or criticisms received) of
   an earlier year: word for word or nearly (below), or the same problem said differently (the concept
   matching further down, issue 20).

Near-duplicates: both texts are normalized (punctuation and spaces removed), then compared with
difflib.SequenceMatcher. They count as a repeat when the ratio is at least REPEAT_THRESHOLD (0.8), or
when the shorter text (at least MIN_CONTAINED characters) is contained in the longer one. 0.8 was picked
on pairs like "理论学习不够深入" / "理论学习不够深入系统" (0.89, a repeat) against "理论学习不够深入" /
"为群众办实事不够主动" (0.22, not one). A rewording ("政治理论学习不够系统，满足于读文件" / "理论学习不够深入，
停留在读文件", about 0.6) is left to the concept matching.
"""

from __future__ import annotations

import difflib
import functools
import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from rapidfuzz import fuzz

if TYPE_CHECKING:
    import jieba

VAGUE_WORDS: tuple[str, ...] = (
    "尽量",
    "尽可能",
    "争取",
    "力争",
    "力求",
    "进一步加强",
    "进一步提高",
    "进一步提升",
    "进一步增强",
    "不断加强",
    "不断提高",
    "逐步",
    "适当",
    "酌情",
    "视情况",
    "原则上",
    "有待",
)

# Stock phrases seed 003 names as the problems that come back every year.
STOCK_PROBLEMS: tuple[str, ...] = ("理论学习不够", "思想认识不到位", "学习不够深入", "工作作风不够扎实")

REPEAT_THRESHOLD = 0.8
MIN_CONTAINED = 6

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Hint:
    kind: str  # "vague" | "repeat" | "stock"
    message: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message}


def normalize(text: str) -> str:
    return _STRIP.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def vague_words_in(text: str) -> list[str]:
    """The vague words in `text`, longest first, without ones inside a longer match."""
    found: list[str] = []
    for word in sorted(VAGUE_WORDS, key=len, reverse=True):
        if word in (text or "") and not any(word in longer for longer in found):
            found.append(word)
    return found


def similarity(a: str, b: str) -> float:
    na, nb = normalize(a), normalize(b)
    if not na or not nb:
        return 0.0
    return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()


def is_repeat(a: str, b: str) -> bool:
    na, nb = normalize(a), normalize(b)
    if not na or not nb:
        return False
    short, long_ = sorted((na, nb), key=len)
    if len(short) >= MIN_CONTAINED and short in long_:
        return True
    return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio() >= REPEAT_THRESHOLD


@dataclass(frozen=True)
class Earlier:
    """A text the same member wrote (or received) in an earlier year."""

    year: int
    text: str


def repeats_of(text: str, earlier: Iterable[Earlier]) -> list[Earlier]:
    """The earlier texts that state the same problem as `text`: word for word first, then reworded."""
    same = [e for e in earlier if is_same_problem(text, e.text)]
    return sorted(same, key=lambda e: not is_repeat(text, e.text))


def measure_hints(text: str) -> list[Hint]:
    words = vague_words_in(text)
    if not words:
        return []
    return [
        Hint(
            "vague",
            _("措施用语含糊：“%(words)s”。能“一定”就不说“尽量”，能“确保”就不写“争取”，请写明做什么、做到什么程度、何时完成。")
            % {"words": "”“".join(words)},
        )
    ]


def problem_hints(text: str, earlier: Iterable[Earlier] = ()) -> list[Hint]:
    hints = []
    for e in repeats_of(text, earlier)[:1]:
        if is_repeat(text, e.text):
            message = _("与 %(year)s 年查摆的问题几乎相同：“%(old)s”。老问题反复出现，请说明整改为何没有见效，或写出新的具体表现。")
        else:
            message = _("与 %(year)s 年查摆的问题实质相同，只是换了说法：“%(old)s”。请说明上次整改为何没有见效，或写出新的具体表现。")
        hints.append(Hint("repeat", message % {"year": e.year, "old": e.text[:60]}))
    norm = normalize(text)
    stock = [s for s in STOCK_PROBLEMS if normalize(s) in norm]
    if stock and len(norm) <= len(normalize(stock[0])) + 6:
        hints.append(
            Hint("stock", _("“%(phrase)s”是每年都有人写的笼统说法，请写出具体事例。") % {"phrase": stock[0]})
        )
    return hints


# --- Same problem, said differently -------------------------------------------------------------------
# Seed 003: "把'老问题'翻来覆去提" — the old problem comes back reworded, not copied. Both texts are cut into
# words by jieba, each word is mapped to the concept it names in party-life writing (CONCEPTS: "读原文",
# "系统性" and "浅尝辄止" all speak of how deep the study goes), words that every problem shares are
# dropped (STOP_WORDS: "不够", "存在", single characters), and the two sets of concepts are compared with
# rapidfuzz's token_set_ratio (100 when one set holds the other). SAME_PROBLEM_THRESHOLD was picked on
# meetings/data/problem_pairs.tsv (tests/meetings/test_problem_matching.py pins the figures).

# concept -> the words and phrases that name it. A phrase is also taught to jieba as one word.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "学习": ("学习", "理论学习", "政治理论学习", "学", "学得", "自学", "读书看报", "学习时间"),
    "深入": ("深入", "系统", "系统性", "深", "深透", "不深不透", "透", "全面", "浅尝辄止", "表面",
             "一知半解", "读原文", "读文件", "深钻细研", "悟原理"),
    "学用": ("学用", "学用结合", "学用脱节", "学以致用", "两张皮", "运用", "指导实际工作", "解决实际问题",
             "学了不用", "结合"),
    "主动学": ("主动性", "自觉性", "被动", "要我学", "自主学习", "推着走", "挤占"),
    "本领": ("业务", "新业务", "新知识", "本领", "本领恐慌", "专业能力", "新政策", "政策", "钻研业务"),
    "政治鉴别": ("政治敏锐性", "敏锐性", "鉴别力", "辨别", "斗争精神", "错误言论", "错误说法", "不良言论",
                 "错误思潮", "批驳", "听之任之"),
    "党员意识": ("宗旨意识", "党员意识", "党员身份", "身份意识", "党员标准", "普通群众", "先锋模范作用",
                 "表率", "亮身份"),
    "组织生活": ("组织生活", "主题党日", "三会一课", "集中活动", "支部活动", "出勤率", "请假", "缺席"),
    "相互批评": ("相互批评", "批评与自我批评", "提意见", "好人主义", "情面", "不痛不痒", "辣味", "批评别人"),
    "自我批评": ("自我批评", "自我剖析", "剖析", "查摆", "对照检查", "揭短亮丑", "思想根源", "轻描淡写"),
    "党费": ("党费", "交纳", "缴纳", "补交", "催缴"),
    "调研": ("调查研究", "调研", "下村", "入户", "下村入户", "走访", "实地", "一线", "田间地头", "基层",
             "实情", "听汇报", "办公室", "走马观花"),
    "形式主义": ("形式主义", "留痕", "拍照", "台账", "材料", "填表", "报数", "档案", "应付检查",
                 "以会议落实会议", "发文", "实效"),
    "拖拉": ("拖拉", "拖延", "效率", "按时", "按期", "一拖再拖", "雷厉风行", "推一推动一动", "办结", "时限"),
    "标准": ("标准", "过得去", "差不多", "精益求精", "应付了事", "要求不严", "只求完成"),
    "联系群众": ("联系群众", "密切联系群众", "联系", "走动", "拉家常", "交流", "疏远", "所思所盼"),
    "群众诉求": ("反映", "诉求", "跟进", "回应", "答复", "回复"),
    "服务态度": ("态度", "耐心", "不耐烦", "热情", "生硬", "脸难看", "门难进", "说话"),
    "办实事": ("实事", "办实事", "实惠", "急难愁盼", "实招"),
    "宴请": ("宴请", "饭局", "吃请", "八项规定"),
    "礼品": ("礼品", "礼物", "小礼物", "土特产", "烟酒", "收受", "收下", "拒收", "退还"),
    "节俭": ("艰苦奋斗", "勤俭节约", "节俭", "排场", "铺张", "贪图享受", "享受", "安逸", "酒席"),
    "家属": ("家属", "子女", "亲属", "配偶", "亲戚", "家风", "旗号"),
    "担当": ("担当", "担当作为", "碰硬", "担责", "担风险", "攻坚克难", "绕着走", "不敢管", "难题", "棘手",
             "能拖就拖"),
    "创新": ("创新", "老办法", "保守", "因循守旧", "照搬照抄", "开拓进取", "新办法", "思路"),
    "精气神": ("精气神", "积极性", "进取心", "干劲", "歇歇脚", "船到码头车到站", "守摊子", "干事创业"),
}
_CONCEPT_OF: dict[str, str] = {word: concept for concept, words in CONCEPTS.items() for word in words}

# Words nearly every problem has: they say that something is lacking, not what.
STOP_WORDS: frozenset[str] = frozenset(
    "不够 不强 不足 不高 不到位 不实 不严 存在 问题 工作 没有 现象 有时 一些 自己 方面 情况 做得 不好 较多 "
    "经常 主动 及时 意识 思想 满足 满足于 有所 不能 不敢 不是 还是 往往 偶尔 平时 很少 没能 未能 "
    "群众 支部 上级 同志 办事 完成 任务 精神 缺乏 需要 参加 得到".split()
)

SAME_PROBLEM_THRESHOLD = 40  # rapidfuzz scores run 0-100; the top of the F1 plateau (35-40), towards precision


@functools.cache
def _tokenizer() -> jieba.Tokenizer:
    """jieba's dictionary, loaded once per process on first use (about a second).

    Its cache file goes to the temporary directory when that is writable; when it is not (a read-only
    container), the dictionary is built in memory and nothing is written. jieba's own messages are off."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tmp_dir = tempfile.gettempdir()
    if os.access(tmp_dir, os.W_OK):
        tokenizer.tmp_dir = tmp_dir
        tokenizer.cache_file = f"branchlife-jieba-{getattr(os, 'getuid', lambda: 0)()}.cache"
        tokenizer.initialize()
    else:
        with tokenizer.lock:
            tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
            tokenizer.initialized = True
    for word in _CONCEPT_OF:
        if len(word) > 1:
            tokenizer.add_word(word, freq=None)
    return tokenizer


def words(text: str) -> list[str]:
    """The words of `text` as jieba cuts them, without punctuation and spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    return [w for w in _tokenizer().lcut(text) if _STRIP.sub("", w)]


def concepts(text: str) -> frozenset[str]:
    """What `text` speaks of: each word's concept (or the word), less stop words and single characters."""
    found = set()
    for word in words(text):
        concept = _CONCEPT_OF.get(word)
        if concept:
            found.add(concept)
        elif len(word) > 1 and word not in STOP_WORDS:
            found.add(word)
    return frozenset(found)


def problem_similarity(a: str, b: str) -> float:
    """0-100: how far two problems speak of the same things (rapidfuzz token_set_ratio on their concepts)."""
    ca, cb = concepts(a), concepts(b)
    if not ca or not cb:
        return 0.0
    return fuzz.token_set_ratio(" ".join(sorted(ca)), " ".join(sorted(cb)))


def is_same_problem(a: str, b: str) -> bool:
    """A repeat (above), or the same problem in other words."""
    return is_repeat(a, b) or problem_similarity(a, b) >= SAME_PROBLEM_THRESHOLD
