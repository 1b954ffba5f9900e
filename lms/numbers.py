"""Whole numbers from outside, bounded before they reach WTForms' checks or the database.

A number too large for the database fails inside its driver (SQLite: "int too large", PostgreSQL:
"integer out of range"; ids are 4-byte integers there), one too large for a float makes WTForms'
`NumberRange` raise OverflowError, and one of more than 4300 digits makes `int()` itself refuse.
Every whole number a request carries is therefore read here:

- an id in an address (`<int:...>`) matches only from 1 to `MAX_ID`; anything larger is a 404,
  like any id that does not exist (`DatabaseIdConverter`, registered as `int` in `create_app`);
- an id in a query string outside that range is a 404 too (`query_id`);
- a count, a page or a cursor in a query string is clamped into its range (`query_int`): a page
  beyond the last is the last, "idle for 10000 days" is the longest the page offers;
- a number typed into a form gets the field's own message next to it, whatever was typed
  (`WholeNumberField`).
"""

from __future__ import annotations

import re

from flask import abort, request
from werkzeug.routing import IntegerConverter
from wtforms import IntegerField
from wtforms.validators import ValidationError

MAX_ID = 2**31 - 1  # PostgreSQL `integer`, the type of every id column
_WHOLE_NUMBER = re.compile(r"\s*([+-]?)\d+\s*")
_FAR_BEYOND = 10**100  # stands for a number of more digits than int() reads: beyond every range here


def read_whole_number(text: str | None) -> int | None:
    """`text` as a whole number (surrounding spaces and full-width digits allowed), or None. Never raises."""
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        match = _WHOLE_NUMBER.fullmatch(text)
        if match is None:
            return None
        return -_FAR_BEYOND if match.group(1) == "-" else _FAR_BEYOND  # more digits than int() accepts


def whole_number_within(text: str | None, low: int = 1, high: int = MAX_ID) -> int | None:
    """`text` as a whole number from `low` to `high`, or None for anything else."""
    number = read_whole_number(text)
    return number if number is not None and low <= number <= high else None


def query_int(name: str, default: int | None, low: int, high: int) -> int | None:
    """A count, page or cursor from the query string: `default` when absent or not a whole number,
    else clamped into `low`..`high`."""
    number = read_whole_number(request.args.get(name))
    return default if number is None else min(max(number, low), high)


def query_id(name: str) -> int | None:
    """An id from the query string: None when absent or not a whole number; 404 when no row could have it."""
    number = read_whole_number(request.args.get(name))
    if number is not None and not 1 <= number <= MAX_ID:
        abort(404)
    return number


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: a number larger than any id does not match, so the answer is a 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class WholeNumberField(IntegerField):
    """A whole number from `low` to `high`. Anything else that is typed (words, fractions, a number
    too large for any column) gets `message` next to the field; nothing raises."""

    def __init__(self, label=None, validators=None, *, low: int, high: int, message, **kwargs) -> None:
        super().__init__(label, [*(validators or []), _Within(low, high, message)], invalid_value_message=message,
                         **kwargs)

    def process_formdata(self, valuelist) -> None:
        if valuelist:
            self.data = read_whole_number(valuelist[0])
            if self.data is None:
                raise ValueError(self.invalid_value_message)


class _Within:
    """WTForms' `NumberRange` without its float conversion (which overflows for very large numbers)."""

    def __init__(self, low: int, high: int, message) -> None:
        self.low, self.high, self.message = low, high, message

    def __call__(self, form, field) -> None:
        if field.data is not None and not self.low <= field.data <= self.high:
            raise ValidationError(self.message)
