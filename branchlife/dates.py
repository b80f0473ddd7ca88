"""Dates as Chinese documents and messages write them."""

import datetime as dt


def cn_date(day: dt.date) -> str:
    """2026年12月6日: no leading zeros, as 公文 and notices write a date."""
    return f"{day.year}年{day.month}月{day.day}日"
