"""The 优秀 quota as people state it ("30%", "1/3", "三分之一"), kept exact. The meeting's plan sets it and
the evaluation copies it; no model imports, so that both apps' models use quota_columns (evaluations.policy
re-exports it)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A quota is a ratio, kept exact: "三分之一" is 1/3, not 33.33% (33.33% of 30 is 9, a third is 10).
# static/js/quota.js reads the same inputs for the count shown as one types; tests/evaluations/
# test_quota_fraction.py runs both over one table.
QUOTA_MAX_DENOMINATOR = 10**6  # a percentage with four decimals ("33.3333%"), or a fraction up to this
QUOTA_MAX_LENGTH = 40
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NAMES = "零一二三四五六七八九"
_DECIMAL = re.compile(r"(-?)([0-9]{1,7})(?:\.([0-9]{1,8}))?")
_PERCENT = re.compile(r"(-?[0-9]{1,7}(?:\.[0-9]{1,8})?)\s*%?")
_SLASH = re.compile(r"(-?[0-9]{1,7})\s*/\s*([0-9]{1,7})")
_WORDS = re.compile(r"(.+?)\s*分之\s*(.+)")
_GLOSS = re.compile(r"(.+?)\s*\((.+)\)")


def _invalid() -> ValidationError:
    return ValidationError(_("请填写比例，如 30% 或 1/3。"), code="invalid")


def _cn_integer(text: str) -> int | None:
    """一 … 九十九万: Chinese numerals (or Arabic digits) as an int; None if it is not one."""
    if text.isascii() and text.isdecimal():
        return int(text)
    total, section, digit, last_unit = 0, 0, None, 10**5
    for ch in text:
        if ch in _CN_DIGITS:
            if digit:  # "三三": two digits with no unit between them
                return None
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit >= last_unit or digit == 0:
                return None
            section, digit, last_unit = section + (1 if digit is None else digit) * unit, None, unit
        elif ch == "万" and not total and (section or digit):
            total, section, digit, last_unit = (section + (digit or 0)) * 10000, 0, None, 10**5
        else:
            return None
    if digit is None and not section and not total:
        return None
    return total + section + (digit or 0)


def _cn_number(text: str) -> Fraction | None:
    """A count in words or digits, with an optional decimal part: 三十, 三十三点三三, 33.33."""
    if match := _DECIMAL.fullmatch(text):
        return None if match[1] else Fraction(Decimal(text))
    whole, dot, decimals = text.partition("点")
    value = _cn_integer(whole)
    if value is None or (dot and not decimals):
        return None
    if dot:
        if len(decimals) > 8 or any(ch not in _CN_DIGITS for ch in decimals):
            return None
        return value + Fraction(int("".join(str(_CN_DIGITS[ch]) for ch in decimals)), 10 ** len(decimals))
    return Fraction(value)


def _cn_words(n: int) -> str:
    """12 → 十二, 105 → 一百零五, 30000 → 三万."""
    def section(n: int, leading: bool) -> str:
        out, zero = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d, n = divmod(n, unit)
            if d:
                out += ("零" if zero and out else "") + ("" if leading and not out and unit == 10 and d == 1 else _CN_NAMES[d]) + name
                zero = False
            else:
                zero = True
        return out

    if n == 0:
        return "零"
    high, low = divmod(n, 10000)
    if not high:
        return section(low, True)
    return section(high, True) + "万" + ("零" if 0 < low < 1000 else "") + section(low, False)


def _ratio(text: str) -> Fraction:
    """One way of stating the ratio, as a Fraction (not yet checked for range); ValidationError if none."""
    if match := _SLASH.fullmatch(text):
        numerator, denominator = int(match[1]), int(match[2])
        if denominator == 0:
            raise ValidationError(_("分母不能为 0。"), code="zero_denominator")
        return Fraction(numerator, denominator)
    if match := _PERCENT.fullmatch(text):
        return Fraction(Decimal(match[1])) / 100
    if match := _WORDS.fullmatch(text):
        denominator, numerator = _cn_number(match[1]), _cn_number(match[2])
        if denominator is None or numerator is None:
            raise _invalid()
        if denominator == 0:
            raise ValidationError(_("分母不能为 0。"), code="zero_denominator")
        return numerator / denominator
    raise _invalid()


@dataclass(frozen=True)
class Quota:
    """The 优秀 cap as a ratio of the candidates, exact: 1/3, 3/10, 3333/10000. No cap is None, not a Quota.

    Stored as two integer columns (`excellent_quota_numerator` / `_denominator` on Meeting and Evaluation,
    reduced); read back with `Quota.of`.
    """

    fraction: Fraction

    def __post_init__(self):
        if not 0 <= self.fraction <= 1:
            raise ValueError(f"a quota is between 0 and 1, not {self.fraction}")

    @classmethod
    def of(cls, numerator: int | None, denominator: int | None) -> Quota | None:
        """From the two stored columns; None (both null) is no cap."""
        if numerator is None or denominator is None:
            return None
        return cls(Fraction(numerator, denominator))

    @classmethod
    def parse(cls, text: str | None) -> Quota | None:
        """"1/3", "三分之一", "百分之三十", "33.33%", "33.33" (a percentage), "30%"; full-width ％ and ／ too.
        The display form "1/3（三分之一）" reads back. Empty is no cap (None); anything else that is not a
        ratio between 0 and 100% raises ValidationError with a message for the user."""
        text = unicodedata.normalize("NFKC", text or "").strip()  # ％ ／ （） and full-width digits
        if not text:
            return None
        if len(text) > QUOTA_MAX_LENGTH:
            raise _invalid()
        if match := _GLOSS.fullmatch(text):
            value = _ratio(match[1].strip())
            if _ratio(match[2].strip()) != value:
                raise _invalid()
        else:
            value = _ratio(text)
        if value < 0:
            raise ValidationError(_("比例不能为负数。"), code="negative")
        if value > 1:
            raise ValidationError(_("优秀比例上限不能超过 100%。"), code="over_100")
        if value.denominator > QUOTA_MAX_DENOMINATOR:
            raise ValidationError(
                _("比例写得太细：百分数最多保留四位小数，分数的分母不超过 1000000。"), code="too_fine"
            )
        return cls(value)

    @property
    def numerator(self) -> int:
        return self.fraction.numerator

    @property
    def denominator(self) -> int:
        return self.fraction.denominator

    def count(self, candidates: int) -> int:
        """floor(ratio × candidates), in integers: 1/3 of 30 → 10, 33.33% of 30 → 9, 30% of 28 → 8."""
        return self.numerator * candidates // self.denominator

    @property
    def is_percent(self) -> bool:
        """Exactly a percentage with at most four decimals (the denominator divides 10^6)."""
        return QUOTA_MAX_DENOMINATOR % self.denominator == 0

    @property
    def text(self) -> str:
        """As one would type it, and as Quota.parse reads it back: "30%", "33.33%", "1/3"."""
        if self.is_percent:
            percent = Decimal(self.numerator * 100) / Decimal(self.denominator)  # exact: at most 4 decimals
            return f"{percent.normalize():f}%"
        return f"{self.numerator}/{self.denominator}"

    @property
    def display(self) -> str:
        """For people: "30%", "33.33%", "1/3（三分之一）"."""
        if self.is_percent:
            return self.text
        return f"{self.text}（{self.words}）"

    @property
    def words(self) -> str:
        """As a rule says it: "三分之二", "30%"."""
        if self.is_percent:
            return self.text
        return f"{_cn_words(self.denominator)}分之{_cn_words(self.numerator)}"

    def __str__(self) -> str:
        return self.display



def quota_columns(numerator: str = "excellent_quota_numerator", denominator: str = "excellent_quota_denominator") -> property:
    """`excellent_quota` on a model: its two integer columns read and written as one Quota (None: no cap).
    A property, so that Model(excellent_quota=...) accepts it like a field."""

    def get(instance) -> Quota | None:
        return Quota.of(getattr(instance, numerator), getattr(instance, denominator))

    def set_(instance, quota: Quota | None) -> None:
        setattr(instance, numerator, None if quota is None else quota.numerator)
        setattr(instance, denominator, None if quota is None else quota.denominator)

    return property(get, set_)
