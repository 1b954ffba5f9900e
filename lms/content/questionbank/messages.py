"""What the question-bank readers say, by message id, worded when shown (like the checker's messages)."""

from __future__ import annotations

from flask_babel import gettext

from lms.content.messages import N_, checker_message

MESSAGES: dict[str, str] = {
    "file_unreadable": N_("not a readable XLSX or CSV file: %(error)s"),
    "csv_not_utf8": N_("the CSV file is neither UTF-8 nor GBK text: save it as 'CSV UTF-8'"),
    "no_header": N_("no header row found: the first row names the columns (题型, 题干, 选项A…, 答案)"),
    "column_missing": N_("column '%(column)s' is missing"),
    "type_unknown": N_("question type '%(value)s' is not one of 单选, 多选, 判断, 填空, 数值"),
    "prompt_missing": N_("the question (题干) is empty"),
    "answer_missing": N_("the answer (答案) is empty"),
    "answer_letter_unknown": N_("answer '%(value)s' names no filled option: use the letters of options A to F"),
    "single_several_letters": N_("a single-choice question has one answer letter, not '%(value)s' (use 多选)"),
    "true_false_unreadable": N_("answer '%(value)s' is not 对 or 错 (true or false)"),
    "numeric_not_number": N_("answer '%(value)s' is not a number: write it like 20, 20 ± 0.5 or 240 斤"),
    "options_gap": N_("option %(letter)s is empty but a later option is filled: fill the options in order"),
    "points_not_number": N_("points (分值) '%(value)s' is not a positive number"),
    "formula_without_value": N_("cell %(cell)s holds a formula with no saved value: open the file in Excel or "
                                "WPS, save it, and upload it again (or paste the values)"),
    "merged_cells": N_("cells %(range)s are merged across columns: unmerge them and fill each cell"),
    "english_incomplete": N_("the English columns of this row are incomplete: %(missing)s"),
    "gift_unsupported": N_("%(kind)s questions have no Cunke equivalent: skipped"),
    "gift_unreadable": N_("cannot read this question: %(problem)s"),
    "gift_no_right_answer": N_("no answer is marked right ('=' or a positive %%weight%%)"),
    "nothing_imported": N_("no questions were found in the file"),
}

GIFT_KINDS = {
    "matching": N_("matching"),
    "essay": N_("essay"),
    "cloze": N_("cloze (embedded answers)"),
    "description": N_("description (no answer)"),
    "missing_word": N_("missing word"),
}


def bank_message(code: str, params: dict) -> str:
    """A reader's message, or the course checker's (`checker:` codes) when the question itself is wrong."""
    if code.startswith("checker:"):
        return checker_message(code.removeprefix("checker:"), params)
    values = {name: gettext(GIFT_KINDS[value]) if name == "kind" else value for name, value in params.items()}
    return gettext(MESSAGES[code], **values)


