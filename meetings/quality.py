"""Quality hints for what members write (seed 003), kept in one place for self-reviews and criticisms.

1. Vague measures. Seed 003: "能'一定'就不说'尽量',能'确保'就不写'争取'". VAGUE_WORDS is the one list.
2. Old problems. Seed 003 warns against "老问题" repeated every year ("理论学习不够"). A problem or
   criticism repeats when it matches, word for word or nearly, one from the same member's self-review
   (or criticisms received) of an earlier year.

Near-duplicates: both texts are normalized (punctuation and spaces removed), then compared with
difflib.SequenceMatcher. They count as a repeat when the ratio is at least REPEAT_THRESHOLD (0.8), or
when the shorter text (at least MIN_CONTAINED characters) is contained in the longer one. 0.8 was picked
on pairs like "理论学习不够深入" / "理论学习不够深入系统" (0.89, a repeat) against "理论学习不够深入" /
"为群众办实事不够主动" (0.22, not one); two different problems of one aspect that share phrasing
("政治理论学习不够系统,满足于读文件" / "理论学习不够深入,停留在读文件") reach about 0.6.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

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
    return [e for e in earlier if is_repeat(text, e.text)]


def measure_hints(text: str) -> list[Hint]:
    words = vague_words_in(text)
    if not words:
        return []
    return [
        Hint(
            "vague",
            _("措施用语含糊:“%(words)s”。能“一定”就不说“尽量”,能“确保”就不写“争取”,请写明做什么、做到什么程度、何时完成。")
            % {"words": "”“".join(words)},
        )
    ]


def problem_hints(text: str, earlier: Iterable[Earlier] = ()) -> list[Hint]:
    hints = []
    for e in repeats_of(text, earlier)[:1]:
        hints.append(
            Hint(
                "repeat",
                _("与 %(year)s 年查摆的问题几乎相同:“%(old)s”。老问题反复出现,请说明整改为何没有见效,或写出新的具体表现。")
                % {"year": e.year, "old": e.text[:60]},
            )
        )
    norm = normalize(text)
    stock = [s for s in STOCK_PROBLEMS if normalize(s) in norm]
    if stock and len(norm) <= len(normalize(stock[0])) + 6:
        hints.append(
            Hint("stock", _("“%(phrase)s”是每年都有人写的笼统说法,请写出具体事例。") % {"phrase": stock[0]})
        )
    return hints
