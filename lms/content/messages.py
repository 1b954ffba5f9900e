"""Everything the course checker says, by message id, and the section of the authoring guide that explains it.

Parsing code reports `report(line, "media_missing", source=...)`; the words are chosen when the
problem is shown, with Flask-Babel, so the studio speaks the reader's language and the command line
the language of LANG (lms/i18n.py). `N_` only marks a text for `make extract-messages`.
Sections are the heading anchors shared by docs/authoring.md and docs/authoring.zh.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from flask_babel import gettext

if TYPE_CHECKING:
    from lms.content.problems import Problem


def N_(text: str) -> str:  # noqa: N802 (the name gettext tools look for)
    return text


# The guide's sections (`## 1. The folder {#folder}` ...), in both languages.
FOLDER, COURSE_FILE, LESSONS, QUIZZES, UNITS, QUIZ_SETTINGS, TASKS, TRANSLATIONS, CHECK = (
    "folder", "course-file", "lessons", "quizzes", "units", "quiz-settings", "tasks", "translations", "check")
BY_FILE = "by-file"  # the section about the kind of file the problem is in (a key of course.md, of a quiz ...)


@dataclass(frozen=True)
class CheckerMessage:
    text: str
    section: str | None
    words: tuple[str, ...] = ()  # parameters that are question kinds, worded in the reader's language too


def _m(text: str, section: str | None, words: tuple[str, ...] = ()) -> CheckerMessage:
    return CheckerMessage(text, section, words)


QUESTION_KIND_WORDS = {
    "single": N_("single choice"),
    "multiple": N_("multiple choice"),
    "true_false": N_("true or false"),
    "numeric": N_("a number"),
    "short": N_("a short answer"),
}

MESSAGES: dict[str, CheckerMessage] = {
    # ---- front matter (lms/content/frontmatter.py)
    "front_matter_missing": _m(N_("file must start with a front matter block: a line '---', YAML keys, then '---'"),
                               COURSE_FILE),
    "front_matter_not_closed": _m(N_("front matter is not closed: add a line '---' after the YAML keys"), COURSE_FILE),
    "yaml_broken": _m(N_("broken YAML in front matter: %(problem)s"), COURSE_FILE),
    "yaml_colon_in_value": _m(N_("broken YAML in front matter: %(problem)s (a ':' inside a value needs quotes: "
                                 "title: \"Quiz: basics\")"), COURSE_FILE),
    "front_matter_not_keys": _m(N_("front matter must be a list of `key: value` lines"), COURSE_FILE),
    "key_unknown": _m(N_("unknown key '%(key)s' (known keys: %(known)s)"), BY_FILE),
    "key_missing": _m(N_("missing required key '%(key)s'"), BY_FILE),
    "key_not_text": _m(N_("'%(key)s' must be non-empty text"), BY_FILE),
    "key_not_a_choice": _m(N_("'%(key)s' is '%(value)s', expected one of: %(choices)s"), BY_FILE),
    "key_not_whole_between": _m(N_("'%(key)s' must be a whole number between %(minimum)s and %(maximum)s"), BY_FILE),
    "key_not_whole_from": _m(N_("'%(key)s' must be a whole number %(minimum)s or more"), BY_FILE),
    "key_not_positive": _m(N_("'%(key)s' must be a positive number"), BY_FILE),
    "key_not_true_false": _m(N_("'%(key)s' must be true or false"), BY_FILE),
    "key_not_course_list": _m(N_("'%(key)s' must be a list of course slugs, like [open-your-shop]"), BY_FILE),
    "key_in_translation": _m(N_("'%(key)s' belongs in the main-language file, not in a translation"), TRANSLATIONS),
    # ---- tracks.yml
    "tracks_yaml_broken": _m(N_("broken YAML: %(problem)s"), FOLDER),
    "tracks_not_a_list": _m(N_("tracks.yml must have a 'tracks:' list"), FOLDER),
    "track_without_slug": _m(N_("every track needs a 'slug'"), FOLDER),
    "specialty_without_slug": _m(N_("every specialty needs a 'slug'"), FOLDER),
    "track_slug_bad": _m(N_("track slug '%(slug)s' must use only a-z, 0-9 and '-'"), FOLDER),
    "specialty_slug_bad": _m(N_("specialty slug '%(slug)s' must use only a-z, 0-9 and '-'"), FOLDER),
    "slug_twice": _m(N_("duplicate slug '%(slug)s'"), FOLDER),
    "track_without_names": _m(N_("track '%(slug)s' needs a name in zh and en: name: {zh: ..., en: ...}"), FOLDER),
    "specialty_without_names": _m(N_("specialty '%(slug)s' needs a name in zh and en: name: {zh: ..., en: ...}"),
                                  FOLDER),
    "specialties_not_a_list": _m(N_("'specialties' of '%(track)s' must be a list"), FOLDER),
    "tracks_missing": _m(N_("missing tracks.yml (tracks, specialties and their names)"), FOLDER),
    "no_tracks_on_server": _m(N_("no tracks are set up on this server yet: an administrator runs `courses sync` "
                                 "first"), CHECK),
    # ---- files and folders
    "courses_folder_missing": _m(N_("course folder not found"), FOLDER),
    "folder_name_bad": _m(N_("course folder name must use only a-z, 0-9 and '-'"), FOLDER),
    "unexpected_folder": _m(N_("unexpected folder: a course holds its .md files and a media/ folder"), FOLDER),
    "unexpected_file": _m(N_("unexpected file: lessons and quizzes are .md files; images go in media/"), FOLDER),
    "not_utf8": _m(N_("file is not UTF-8 text"), FOLDER),
    "file_name_unknown": _m(N_("file name not understood: use course.md, NN-slug.md, NN-slug.quiz.md or "
                               "NN-slug.task.md (with .en or .zh before .md for a translation)"), FOLDER),
    "course_md_missing": _m(N_("missing course.md"), FOLDER),
    "course_empty": _m(N_("course has no lessons or quizzes yet"), FOLDER),
    "item_slug_twice": _m(N_("duplicate item slug '%(slug)s' (also in %(other)s)"), FOLDER),
    "item_slug_reserved": _m(N_("'%(slug)s' is a reserved name; choose another slug"), FOLDER),
    "item_number_twice": _m(N_("number %(number)s is used twice (also by %(other)s); give each item its own"), FOLDER),
    # ---- course.md
    "specialty_not_in_track": _m(N_("track '%(track)s' has no specialties: remove 'specialty'"), COURSE_FILE),
    "requires_itself": _m(N_("a course cannot require itself"), COURSE_FILE),
    "requires_unknown": _m(N_("prerequisite '%(slug)s' names no course"), COURSE_FILE),
    "requires_cycle": _m(N_("prerequisite cycle: %(cycle)s"), COURSE_FILE),
    # ---- pictures and text
    "media_not_image": _m(N_("media/ holds images only (%(allowed)s)"), LESSONS),
    "image_too_large": _m(N_("image is %(size)s KB; keep images under %(limit)s KB so trainees on a weak signal "
                             "can load them"), LESSONS),
    "image_unreadable": _m(N_("not a readable image"), LESSONS),
    "svg_forbidden_element": _m(N_("SVG may not contain <%(element)s>"), LESSONS),
    "svg_event_attribute": _m(N_("SVG may not contain event attributes such as '%(attribute)s'"), LESSONS),
    "svg_outside_link": _m(N_("SVG may only link inside itself (href=\"#...\"); no outside files or addresses"),
                           LESSONS),
    "svg_not_xml": _m(N_("SVG is not well-formed XML: %(error)s"), LESSONS),
    "class_not_allowed": _m(N_("class '%(name)s' is not allowed in course text; use only %(allowed)s"), LESSONS),
    "image_from_outside": _m(N_("image '%(source)s' comes from outside the course: put it in media/ and write "
                                "![...](media/...)"), LESSONS),
    "media_missing": _m(N_("missing media file '%(source)s'"), LESSONS),
    # ---- quizzes (lms/content/quizfile.py)
    "quiz_without_questions": _m(N_("quiz has no questions: start each one with '## '"), QUIZZES),
    "draw_more_than_questions": _m(N_("'draw' is %(draw)s but the quiz has only %(count)s questions"), QUIZ_SETTINGS),
    "question_heading_empty": _m(N_("question heading is empty: write the question after '## '"), QUIZZES),
    "question_heading_level": _m(N_("questions start with '## ' (two #), not '# '"), QUIZZES),
    "option_unreadable": _m(N_("cannot read answer option: write '- [ ] text' or '- [x] text'"), QUIZZES),
    "options_and_answer_line": _m(N_("a question has either options '- [ ]' or an answer line '=', not both"),
                                  QUIZZES),
    "options_after_feedback": _m(N_("options must come before the feedback lines '>'"), QUIZZES),
    "option_without_text": _m(N_("answer option has no text"), QUIZZES),
    "answer_line_twice": _m(N_("a question has only one answer line '='; separate alternatives with '|'"), QUIZZES),
    "text_after_answers": _m(N_("unexpected text after the answers: only '>' feedback lines may follow them"),
                             QUIZZES),
    "too_few_options": _m(N_("a choice question needs at least two options"), QUIZZES),
    "no_correct_option": _m(N_("question has no correct answer: mark at least one option '- [x]'"), QUIZZES),
    "question_without_answer": _m(N_("question has no answer: add options '- [x] ...' or an answer line '= ...'"),
                                  QUIZZES),
    "answer_line_empty": _m(N_("answer line '=' is empty: write the answer after '=' (a number, words, or "
                               "true/false)"), QUIZZES),
    "short_answer_empty_alternative": _m(N_("short answer has an empty alternative: write '= answer | other answer'"),
                                         QUIZZES),
    "numeric_unreadable": _m(N_("cannot read numeric answer '= %(text)s': write it like '= 20 ± 0.5' or "
                                "'= 1.4 ± 0.05 米'"), UNITS),
    "unit_before_tolerance": _m(N_("cannot read numeric answer '= %(text)s': write the unit after the tolerance, "
                                   "like '= 1.4 ± 0.05 米'"), UNITS),
    "unit_too_long": _m(N_("the unit '%(unit)s' is too long: a unit is a word or two after the number, like "
                           "'= 240 斤' or '= 3 minutes'"), UNITS),
    "several_numbers": _m(N_("'= %(text)s' gives several numbers: write one, like '= 240 斤' (then 240, 240斤 and "
                             "240 斤 all count); '|' separates short answers"), UNITS),
    # ---- practical tasks (lms/content/taskfile.py)
    "task_asks_for_nothing": _m(N_("a task asks for something to send: add 'photos: 1' (up to 6), 'text: true' or "
                                   "'link: true'"), TASKS),
    "task_size_without_photos": _m(N_("'photo_min_px' needs 'photos' (how many photos to send)"), TASKS),
    "task_length_without_text": _m(N_("'text_min' needs 'text: true'"), TASKS),
    "task_reviewers_without_peer": _m(N_("'reviewers' is for 'review: peer' only"), TASKS),
    "task_without_rubric": _m(N_("task has no criteria: add a section '## 评分标准' (or '## Criteria') with one "
                                 "'### ' per criterion"), TASKS),
    "rubric_without_criteria": _m(N_("the criteria section is empty: start each criterion with '### '"), TASKS),
    "rubric_not_last": _m(N_("the criteria section must be the last part of the file"), TASKS),
    "rubric_text_before_criterion": _m(N_("text before the first criterion: start it with '### '"), TASKS),
    "criterion_heading_empty": _m(N_("criterion heading is empty: write its name after '### '"), TASKS),
    "criterion_too_few_levels": _m(N_("a criterion needs at least two levels, lowest first: '- 需要重做: ...' "
                                      "'- 合格: ...'"), TASKS),
    "level_unreadable": _m(N_("cannot read this level: write '- name: what the work looks like'"), TASKS),
    "text_after_levels": _m(N_("unexpected text after the levels: put a criterion's description before them"),
                            TASKS),
    "pass_level_missing": _m(N_("'pass' is %(level)s but a criterion has only %(fewest)s levels"), TASKS),
    # ---- translations
    "not_a_translation_language": _m(N_("'%(lang)s' is not a translation language for a course written in "
                                        "'%(language)s'"), TRANSLATIONS),
    "lesson_translation_without_main": _m(N_("translation has no main file: expected a lesson '%(slug)s' without "
                                             "'.%(lang)s'"), TRANSLATIONS),
    "quiz_translation_without_main": _m(N_("translation has no main file: expected a quiz '%(slug)s' without "
                                           "'.%(lang)s'"), TRANSLATIONS),
    "task_translation_without_main": _m(N_("translation has no main file: expected a task '%(slug)s' without "
                                           "'.%(lang)s'"), TRANSLATIONS),
    "translation_criterion_count": _m(N_("translation has %(count)s criteria, the main file has %(main)s"),
                                      TRANSLATIONS),
    "translation_level_count": _m(N_("criterion %(number)s has %(count)s levels here, %(main)s in the main file"),
                                  TRANSLATIONS),
    "translation_question_count": _m(N_("translation has %(count)s questions, the main file has %(main)s"),
                                     TRANSLATIONS),
    "translation_question_kind": _m(N_("question %(number)s is %(kind)s here but %(main_kind)s in the main file"),
                                    TRANSLATIONS, words=("kind", "main_kind")),
    "translation_options": _m(N_("question %(number)s must have the same options marked [x] as in the main file"),
                              TRANSLATIONS),
    "translation_number": _m(N_("question %(number)s must have the same numeric answer as in the main file"),
                             TRANSLATIONS),
    "translation_true_false": _m(N_("question %(number)s must have the same true/false answer as in the main file"),
                                 TRANSLATIONS),
    "translation_unit_missing": _m(N_("question %(number)s is in '%(unit)s' in the main file: name the unit here "
                                      "too, in this language's word for it"), TRANSLATIONS),
    "translation_unit_extra": _m(N_("question %(number)s names the unit '%(unit)s' but the main file names none"),
                                 TRANSLATIONS),
    "translation_unit_differs": _m(N_("question %(number)s is in '%(unit)s' here but in '%(main_unit)s' in the "
                                      "main file"), TRANSLATIONS),
}


def checker_message(code: str, params: dict) -> str:
    """One problem's message, in the current language."""
    spec = MESSAGES[code]
    values = {name: gettext(QUESTION_KIND_WORDS[value]) if name in spec.words else value
              for name, value in params.items()}
    return gettext(spec.text, **values)


def guide_section(problem: Problem) -> str | None:
    """The anchor of the guide's section that explains how to fix this problem (None: no section does)."""
    section = MESSAGES[problem.code].section
    return _section_of_file(problem.path) if section == BY_FILE else section


def _section_of_file(path: str) -> str:
    name = PurePosixPath(path).name
    parts = name.split(".")
    if len(parts) > 2 and len(parts[-2]) == 2:  # 01-a.en.md, course.en.md, 03-q.quiz.en.md
        return TRANSLATIONS
    if name == "course.md":
        return COURSE_FILE
    if name.endswith(".task.md"):
        return TASKS
    return QUIZZES if name.endswith(".quiz.md") else LESSONS
