"""The unit words a numeric answer may carry: `= 240 斤`, `= 1.4 ± 0.05 米`, `= 3 minutes`.

A question names one unit; a trainee may answer with it, with another way of writing the same
unit (斤 or jin, 分钟 or min), or with the number alone. A unit from this table that is not the
question's is a different unit: graded wrong, with a line saying which unit to answer in.
Words not in the table (orders, 筐) are units too: they match only as written.
"""

from __future__ import annotations

import unicodedata

# Each row: ways of writing one unit. The first is the name the checker uses in its messages.
_UNITS: tuple[tuple[str, ...], ...] = (
    ("元", "块", "块钱", "元钱", "人民币", "yuan", "rmb", "cny", "¥"),
    ("%", "percent", "percentage"),
    ("斤", "市斤", "jin"),
    ("公斤", "千克", "kg", "kilo", "kilogram"),
    ("克", "g", "gram"),
    ("吨", "ton", "tonne"),
    ("米", "m", "metre", "meter"),
    ("厘米", "cm", "centimetre", "centimeter"),
    ("毫米", "mm", "millimetre", "millimeter"),
    ("公里", "千米", "km", "kilometre", "kilometer"),
    ("天", "日", "day"),
    ("小时", "个小时", "钟头", "个钟头", "h", "hr", "hour"),
    ("分钟", "min", "minute"),
    ("秒", "秒钟", "s", "sec", "second"),
    ("周", "星期", "个星期", "礼拜", "个礼拜", "week"),
    ("月", "个月", "month"),
    ("年", "year"),
    ("分", "point"),  # a score: 4.8 分
    ("倍", "times"),
    ("字符", "个字符", "character", "char"),  # a title's length: one 汉字 is two 字符
    ("字", "个字", "汉字", "个汉字"),
    ("人", "个人", "位", "名", "people", "person"),
    ("像素", "px", "pixel"),
    ("瓦", "w", "watt"),
)

# Chinese measure words: a count "in 单" (or of 人) may also be written with the general one, 个.
COUNTERS = frozenset("个件单笔把张次箱包盒条台瓶袋份只款家篇幅套双")
GENERAL_COUNTER = "个"

MONEY_AND_PERCENT = ("元", "%")  # stripped from every number, as they always were


def fold(unit: str) -> str:
    """Compare unit words ignoring full/half-width, case, spaces and an English plural 's'."""
    folded = "".join(unicodedata.normalize("NFKC", unit).casefold().split())
    if len(folded) >= 3 and folded.isascii() and folded.isalpha() and folded.endswith("s"):
        folded = folded[:-1]  # minutes, metres, kgs, orders: both sides fold alike
    return folded


_BY_WORD: dict[str, int] = {fold(word): row for row, words in enumerate(_UNITS) for word in words}


_SYMBOLS = frozenset(word for words in _UNITS for word in words if word.isascii() and len(word) <= 3)


def is_symbol(unit: str) -> bool:
    """A short unit symbol exactly as written (kg, cm, min): one may follow a number without a space."""
    return unit in _SYMBOLS


def _row(unit: str) -> int | None:
    return _BY_WORD.get(fold(unit))


def is_known(unit: str) -> bool:
    """A unit word the platform recognises (so a trainee who types it meant a unit)."""
    return _row(unit) is not None or fold(unit) in COUNTERS


def same_unit(a: str, b: str) -> bool:
    """Two ways of writing one unit: 斤 and jin, 分钟 and minutes, orders and order."""
    if fold(a) == fold(b):
        return True
    row = _row(a)
    return row is not None and row == _row(b)


def canonical(unit: str) -> str | None:
    """The table's name of a known unit (斤 for jin), or None for a word it does not know."""
    row = _row(unit)
    if row is not None:
        return _UNITS[row][0]
    return fold(unit) if fold(unit) in COUNTERS else None


def accepts(question_unit: str | None, typed_unit: str) -> bool:
    """Whether a typed unit is this question's (no unit typed is always fine)."""
    if not fold(typed_unit):
        return True
    if not question_unit:
        return any(same_unit(typed_unit, unit) for unit in MONEY_AND_PERCENT)
    if same_unit(typed_unit, question_unit):
        return True
    counted = fold(question_unit) in COUNTERS or canonical(question_unit) == "人"
    return counted and fold(typed_unit) == GENERAL_COUNTER
