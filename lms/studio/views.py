"""The course studio: upload, check, edit, preview, publish, roll back and download courses.

Every route is `role_required("instructor")` (administrators pass) or, for authors, `role_required("admin")`.
Within that, lms/studio/policy.py decides: a course's authors and administrators edit it; any
instructor previews its published version; anything else answers 404.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

import yaml
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.access import role_required
from lms.accounts.service import find_by_phone
from lms.content.images import MAX_INPUT_BYTES, ImageProblem, prepare_upload
from lms.content.messages import guide_section
from lms.content.models import Course, Track
from lms.content.parser import MEDIA_TYPES
from lms.content.questionbank.excel import template_xlsx
from lms.content.questionbank.importing import quiz_files, read_any
from lms.content.versions import (
    CourseVersion,
    find_version,
    latest_numbers,
    latest_version,
    pack_files,
    version_files,
    versions_of,
)
from lms.extensions import db
from lms.learning.pages import reading_language
from lms.numbers import whole_number_within
from lms.quizzes.attempts import pass_mark_for
from lms.quizzes.grading import grade_attempt
from lms.studio.archive import MAX_ZIP_BYTES, ArchiveProblem, read_course_zip
from lms.studio.forms import (
    AuthorForm,
    ConfirmForm,
    EditForm,
    ImageForm,
    NewFileForm,
    PublishForm,
    QuestionBankForm,
    UploadForm,
    VersionUploadForm,
)
from lms.studio.guide import read_guide, section_id
from lms.studio.models import CourseDraft
from lms.studio.policy import authored_slugs, course_exists, may_edit
from lms.studio.preview import (
    build_course,
    find_item,
    outline_of,
    preview_file,
    quiz_questions,
)
from lms.studio.workspace import (
    StudioError,
    add_author,
    authors_of,
    check_course,
    discard_draft,
    draft_files,
    find_draft,
    new_file_text,
    publish_draft,
    remove_author,
    rollback,
    save_draft,
    server_tracks,
    set_file,
    upload_course,
    working_files,
)

bp = Blueprint("studio", __name__, url_prefix="/studio")
instructors_only = role_required("instructor")
admins_only = role_required("admin")
DRAFT = "draft"


def archive_message(problem: ArchiveProblem) -> str:
    details = problem.details
    messages = {
        "not_zip": _("This file is not a ZIP file. Put the course folder in a ZIP "
                     "(on Windows: right-click the folder, Send to, Compressed folder) and upload that."),
        "too_large": _("The ZIP file is larger than %(mb)s MB. Make the pictures smaller and try again.",
                       mb=details.get("mb", 0)),
        "unsafe_name": _("The ZIP contains a file name that is not allowed: %(name)s. Every file must stay inside "
                         "the course folder (no '..', no names starting with '/', no backslashes).",
                         name=details.get("name", "")),
        "link": _("The ZIP contains a link (%(name)s). Only ordinary files are allowed.", name=details.get("name", "")),
        "encrypted": _("The ZIP is protected with a password. Make one without a password."),
        "too_many_files": _("The ZIP contains more than %(count)s files.", count=details.get("count", 0)),
        "file_too_big": _("%(name)s is larger than %(mb)s MB when unpacked.", name=details.get("name", ""),
                          mb=details.get("mb", 0)),
        "total_too_big": _("The ZIP unpacks to more than %(mb)s MB.", mb=details.get("mb", 0)),
        "bomb": _("%(name)s unpacks to far more than it should (a ZIP bomb?). The ZIP was refused.",
                  name=details.get("name", "")),
        "corrupt": _("The ZIP is damaged: %(name)s cannot be read. Make the ZIP again.", name=details.get("name", "")),
        "unsupported": _("%(name)s is packed in a way this site cannot read. Make the ZIP with the usual "
                         "settings (Deflate).", name=details.get("name", "")),
        "duplicate": _("The ZIP contains %(name)s twice.", name=details.get("name", "")),
        "empty": _("The ZIP is empty."),
        "several_folders": _("The ZIP contains several folders. Upload one course at a time: "
                             "a ZIP of one course folder."),
    }
    return messages.get(problem.code, messages["not_zip"])


def studio_message(error: StudioError) -> str:
    details = error.details
    messages = {
        "taken": _("A course named %(slug)s exists already and you are not one of its authors. Choose another "
                   "name, or ask an administrator to add you as an author.", slug=details.get("slug", "")),
        "bad_slug": _("The course's short name %(slug)s may use only lowercase letters a–z, digits and '-'. "
                      "Rename the folder, or enter a short name.", slug=details.get("slug", "")),
        "conflict": _("Someone else saved this course since you opened this page. Your text is below and was "
                      "not saved: copy it, reload the page, and make your change again."),
        "text_too_long": _("The file is too long (at most 512 KB)."),
        "invalid": _("The course has problems, so nothing was published. Fix them first."),
        "no_draft": _("There are no unpublished changes to publish."),
        "no_version": _("This version does not exist."),
        "already_current": _("Version %(number)s is what trainees see already.", number=details.get("number", "")),
        "not_instructor": _("Only instructors and administrators can be authors."),
    }
    return messages.get(error.code, messages["invalid"])


def image_message(problem: ImageProblem) -> str:
    reasons = " ".join(_("Line %(number)s: %(message)s", number=p.line, message=p.message) for p in problem.problems)
    messages = {
        "too_large": _("The picture is larger than 10 MB."),
        "not_an_image": _("This file is not a picture this site can use. Use JPEG, PNG, WebP, GIF or SVG."),
        "too_many_pixels": _("The picture has too many pixels. Make it smaller first."),
        "gif_too_large": _("The GIF is larger than 2 MB. Save it as a JPEG or PNG instead."),
        "still_too_large": _("Even scaled down, the picture is larger than 2 MB. Use a simpler picture."),
        "bad_svg": _("The SVG picture was refused: %(reasons)s", reasons=reasons),
    }
    return messages.get(problem.code, messages["not_an_image"])


# ---------------------------------------------------------------- helpers


def editable_or_404(slug: str) -> None:
    if not may_edit(current_user, slug) or not course_exists(slug):
        abort(404)


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


def working_source(draft: CourseDraft | None, slug: str) -> str | None:
    """Where previews and pictures of the working files come from: the draft, else the published version."""
    if draft is not None:
        return DRAFT
    latest = latest_version(slug)
    return str(latest.number) if latest else None


def tracks_yaml() -> bytes:
    """This server's tracks as a tracks.yml, so a downloaded course passes `flask courses check` on its own."""
    def entry(spec) -> dict:
        names = {lang: spec.names[lang] for lang in ("zh", "en") if lang in spec.names}
        data: dict = {"slug": spec.slug, "name": names}
        if spec.specialties:
            data["specialties"] = [entry(s) for s in spec.specialties]
        return data

    text = yaml.safe_dump({"tracks": [entry(t) for t in server_tracks()]}, allow_unicode=True, sort_keys=False)
    return ("# The tracks of the server this course was downloaded from.\n" + text).encode("utf-8")


def zip_response(slug: str, files: dict[str, bytes], label: str) -> Response:
    blob = pack_files(files, folder=slug, extra={"tracks.yml": tracks_yaml()})
    response = Response(blob, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}-{label}.zip"'
    return no_store(response)


def read_upload(storage, limit: int) -> bytes | None:
    data = storage.stream.read(limit + 1)
    return None if len(data) > limit else data


def media_name(filename: str | None, extension: str, files: dict[str, bytes]) -> str:
    stem = PurePosixPath((filename or "").replace("\\", "/")).stem
    stem = unicodedata.normalize("NFKC", stem).lower()
    stem = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:40].strip("-") or "picture"
    candidate, number = f"media/{stem}{extension}", 2
    while candidate in files:
        candidate, number = f"media/{stem}-{number}{extension}", number + 1
    return candidate


@dataclass
class FileEntry:
    path: str
    size: int
    editable: bool
    is_media: bool
    problems: int


def file_entries(files: dict[str, bytes], check) -> list[FileEntry]:
    counts: dict[str, int] = {}
    for problem in (check.problems if check else []):
        counts[check.relative(problem)] = counts.get(check.relative(problem), 0) + 1
    entries = [FileEntry(path, len(content), path.endswith(".md") and "/" not in path,
                         path.startswith("media/"), counts.get(path, 0))
               for path, content in files.items()]
    return sorted(entries, key=lambda e: (e.is_media, e.path != "course.md", e.path))


# ---------------------------------------------------------------- the studio's front page


@bp.route("/")
@instructors_only
def index():
    is_admin = current_user.role == "admin"
    courses = {c.slug: c for c in db.session.scalars(select(Course).order_by(Course.position, Course.slug))}
    drafts = {d.course_slug: d for d in db.session.scalars(select(CourseDraft))}
    numbers = latest_numbers()
    mine = authored_slugs(current_user)
    editable = sorted(set(courses) | set(drafts) | set(numbers)) if is_admin else sorted(mine)
    others = [] if is_admin else [c for c in courses.values() if c.is_published and c.slug not in mine
                                  and c.slug in numbers]
    return render_template("studio/index.html", editable=editable, others=others, courses=courses, drafts=drafts,
                           numbers=numbers, form=UploadForm())


@bp.route("/guide")
@instructors_only
def guide():
    """How to write a course: docs/authoring.md, in the reader's language."""
    return render_template("studio/guide.html", guide=read_guide(str(get_locale())))


def guide_url(problem) -> str | None:
    """Where the authoring guide explains how to fix a checker problem."""
    section = guide_section(problem)
    return url_for("studio.guide", _anchor=section_id(section)) if section else None


@bp.route("/upload", methods=["GET", "POST"])
@instructors_only
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        archive = _read_archive(form)
        if archive is not None:
            entered = form.slug.data or None
            slug = archive.folder or entered
            if archive.folder and entered and archive.folder != entered:
                form.slug.errors.append(_("The ZIP holds the course folder %(folder)s, not %(slug)s.",
                                          folder=archive.folder, slug=entered))
            elif not slug:
                form.slug.errors.append(_("The ZIP has no course folder: enter the course's short name."))
            else:
                return _store_upload(slug, archive.files, form)
    return render_template("studio/upload.html", form=form), 400 if form.errors else 200


def _read_archive(form):
    """The uploaded course ZIP, or None with the reason shown under the file field."""
    data = read_upload(form.archive.data, MAX_ZIP_BYTES)
    try:
        if data is None:
            raise ArchiveProblem("too_large", mb=MAX_ZIP_BYTES // (1024 * 1024))
        return read_course_zip(data)
    except ArchiveProblem as problem:
        form.archive.errors.append(archive_message(problem))
        return None


def _store_upload(slug: str, files: dict[str, bytes], form):
    try:
        upload_course(slug, files, current_user)
    except StudioError as error:
        form.archive.errors.append(studio_message(error))
        return render_template("studio/upload.html", form=form), 400
    db.session.commit()
    check = check_course(slug, files)
    if check.ok:
        flash(_("Uploaded. No problems found: preview the course, then publish it."), "success")
    else:
        flash(ngettext("Uploaded. The checker found %(num)s problem: fix it below, then publish.",
                       "Uploaded. The checker found %(num)s problems: fix them below, then publish.",
                       len(check.problems)), "error")
    return redirect(url_for("studio.course", slug=slug))


@bp.route("/<slug>/upload", methods=["POST"])
@instructors_only
def upload_version(slug: str):
    editable_or_404(slug)
    form = VersionUploadForm()
    if form.validate_on_submit():
        archive = _read_archive(form)
        if archive is not None:
            if archive.folder and archive.folder != slug:
                form.archive.errors.append(_("The ZIP holds the course folder %(folder)s, not %(slug)s.",
                                             folder=archive.folder, slug=slug))
            else:
                return _store_upload(slug, archive.files, form)
    return _render_course(slug, upload_form=form), 400


# ---------------------------------------------------------------- one course


def _render_course(slug: str, upload_form=None, publish_form=None):
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    files, draft = working_files(slug)
    check = check_course(slug, files) if files else None
    versions = versions_of(slug)
    current = versions[0] if versions else None
    title = None
    if check and check.parsed:
        title = check.parsed.titles.get(check.parsed.language)
    elif course is not None:
        title = course.title(course.language)
    return render_template(
        "studio/course.html", slug=slug, course=course, draft=draft, files=file_entries(files, check), check=check,
        versions=versions, current=current, authors=authors_of(slug), title=title or slug,
        source=working_source(draft, slug), upload_form=upload_form or VersionUploadForm(),
        publish_form=publish_form or PublishForm(), new_file_form=NewFileForm(), image_form=ImageForm(),
        confirm_form=ConfirmForm(), guide_url=guide_url,
    )


@bp.route("/<slug>/")
@instructors_only
def course(slug: str):
    editable_or_404(slug)
    return no_store(Response(_render_course(slug)))


@bp.route("/<slug>/edit/<path:path>", methods=["GET", "POST"])
@instructors_only
def edit(slug: str, path: str):
    editable_or_404(slug)
    files, draft = working_files(slug)
    if path not in files or not path.endswith(".md") or "/" in path:
        abort(404)
    form = EditForm()
    text = files[path].decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    shown_preview = None
    error = None
    status = 200
    if request.method == "GET":
        form.text.data = text
        form.revision.data = draft.revision if draft else 0
    elif form.validate_on_submit():
        text = (form.text.data or "").replace("\r\n", "\n").replace("\r", "\n")
        try:
            files = set_file(files, path, text)
            if request.form.get("action") == "save":
                save_draft(slug, files, current_user, form.revision.data or 0)
                db.session.commit()
                flash(_("Saved in the draft. Trainees see it only after you publish."), "success")
                return redirect(url_for("studio.edit", slug=slug, path=path))
        except StudioError as problem:
            db.session.rollback()
            error, status = studio_message(problem), 409 if problem.code == "conflict" else 400
        source = working_source(draft, slug)
        media_base = url_for("studio.preview_media", slug=slug, source=source or DRAFT, path="")
        shown_preview = preview_file(path, text, files, media_base)
    check = check_course(slug, files)
    problems = check.problems_in(path)
    lines = text.splitlines() or [""]
    by_line: dict[int, list[str]] = {}
    for problem in problems:
        by_line.setdefault(min(max(problem.line, 1), len(lines)), []).append(problem.message)
    return render_template("studio/edit.html", slug=slug, path=path, form=form, lines=lines, by_line=by_line,
                           problems=problems, preview=shown_preview, error=error, draft=draft,
                           check=check, guide_url=guide_url), status


@bp.route("/<slug>/files/new", methods=["POST"])
@instructors_only
def new_file(slug: str):
    editable_or_404(slug)
    form = NewFileForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.name.errors) or _("Please try again."), "error")
        return redirect(url_for("studio.course", slug=slug))
    name = form.name.data.strip()
    files, _draft = working_files(slug)
    text = new_file_text(name)
    if name in files:
        flash(_("%(name)s exists already.", name=name), "error")
        return redirect(url_for("studio.course", slug=slug))
    if text is None:
        flash(_("%(name)s is not a course file name. Use NN-name.md for a lesson, NN-name.quiz.md for a quiz, "
                "with .en before .md for an English translation, like 04-pricing.md.", name=name), "error")
        return redirect(url_for("studio.course", slug=slug))
    save_draft(slug, {**files, name: text.encode("utf-8")}, current_user)
    db.session.commit()
    return redirect(url_for("studio.edit", slug=slug, path=name))


@bp.route("/<slug>/files/delete", methods=["POST"])
@instructors_only
def delete_file(slug: str):
    editable_or_404(slug)
    form = ConfirmForm()
    path = request.form.get("path", "")
    files, _draft = working_files(slug)
    if form.validate_on_submit() and path in files:
        save_draft(slug, {name: content for name, content in files.items() if name != path}, current_user)
        db.session.commit()
        flash(_("%(name)s was removed from the draft.", name=path), "success")
    return redirect(url_for("studio.course", slug=slug))


@bp.route("/<slug>/media", methods=["POST"])
@instructors_only
def add_image(slug: str):
    editable_or_404(slug)
    form = ImageForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.image.errors) or _("Please try again."), "error")
        return redirect(url_for("studio.course", slug=slug))
    content = read_upload(form.image.data, MAX_INPUT_BYTES)
    try:
        if content is None:
            raise ImageProblem("too_large")
        prepared = prepare_upload(content)
    except ImageProblem as problem:
        flash(image_message(problem), "error")
        return redirect(url_for("studio.course", slug=slug))
    files, _draft = working_files(slug)
    path = media_name(form.image.data.filename, prepared.extension, files)
    save_draft(slug, {**files, path: prepared.content}, current_user)
    db.session.commit()
    flash(_("Picture added as %(path)s (%(kb)s KB). Use it in a lesson like this: ![what the picture shows](%(path)s)",
            path=path, kb=max(1, len(prepared.content) // 1024)), "success")
    return redirect(url_for("studio.course", slug=slug))


@bp.route("/<slug>/publish", methods=["POST"])
@instructors_only
def publish(slug: str):
    editable_or_404(slug)
    form = PublishForm()
    if not form.validate_on_submit():
        return _render_course(slug, publish_form=form), 400
    try:
        published = publish_draft(slug, current_user, note=form.note.data or "")
        db.session.commit()
    except StudioError as error:
        db.session.rollback()
        flash(studio_message(error), "error")
    except IntegrityError:
        db.session.rollback()
        flash(_("Someone else published this course at the same moment. Look at the versions, then try again."),
              "error")
    else:
        if published.version is None and published.outcome == "unchanged":
            flash(_("Nothing changed: the draft was the same as the published course."), "info")
        elif published.version is None:
            flash(_("Published. Trainees see it now."), "success")
        else:
            flash(_("Published as version %(number)s. Trainees see it now.", number=published.version.number),
                  "success")
    return redirect(url_for("studio.course", slug=slug))


@bp.route("/<slug>/discard", methods=["POST"])
@instructors_only
def discard(slug: str):
    editable_or_404(slug)
    if ConfirmForm().validate_on_submit() and find_draft(slug) is not None:
        discard_draft(slug, current_user)
        db.session.commit()
        flash(_("The unpublished changes were thrown away."), "success")
    if not course_exists(slug):
        return redirect(url_for("studio.index"))
    return redirect(url_for("studio.course", slug=slug))


@bp.route("/<slug>/versions/<int:version_id>/rollback", methods=["POST"])
@instructors_only
def rollback_version(slug: str, version_id: int):
    editable_or_404(slug)
    number = db.session.scalar(select(CourseVersion.number).where(CourseVersion.id == version_id,
                                                                  CourseVersion.course_slug == slug))
    if number is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            published = rollback(slug, number, current_user)
            db.session.commit()
        except StudioError as error:
            db.session.rollback()
            flash(studio_message(error), "error")
            if error.code == "invalid":
                for problem in error.details.get("problems", [])[:10]:
                    flash(str(problem), "error")
        except IntegrityError:
            db.session.rollback()
            flash(_("Someone else published this course at the same moment. Look at the versions, then try again."),
                  "error")
        else:
            flash(_("Version %(old)s is published again, as version %(new)s.", old=number,
                    new=published.version.number if published.version else number), "success")
    return redirect(url_for("studio.course", slug=slug))


@bp.route("/<slug>/versions/<int:number>.zip")
@instructors_only
def download_version(slug: str, number: int):
    editable_or_404(slug)
    version = find_version(slug, number)
    if version is None:
        abort(404)
    return zip_response(slug, version_files(version), f"v{number}")


@bp.route("/<slug>/draft.zip")
@instructors_only
def download_draft(slug: str):
    editable_or_404(slug)
    draft = find_draft(slug)
    if draft is None:
        abort(404)
    return zip_response(slug, draft_files(draft), "draft")


# ---------------------------------------------------------------- authors (administrators)


@bp.route("/<slug>/authors", methods=["GET", "POST"])
@admins_only
def authors(slug: str):
    if not course_exists(slug):
        abort(404)
    form = AuthorForm()
    if form.validate_on_submit():
        person = find_by_phone(form.phone.data)
        if person is None or not person.active:
            form.phone.errors.append(_("No account has this phone number."))
        else:
            try:
                add_author(slug, person, current_user)
            except StudioError as error:
                form.phone.errors.append(studio_message(error))
            else:
                db.session.commit()
                flash(_("%(name)s is now an author of this course.", name=person.display_name), "success")
                return redirect(url_for("studio.authors", slug=slug))
    return render_template("studio/authors.html", slug=slug, authors=authors_of(slug), form=form,
                           confirm_form=ConfirmForm()), 400 if form.errors else 200


@bp.route("/<slug>/authors/<int:user_id>/remove", methods=["POST"])
@admins_only
def remove_author_view(slug: str, user_id: int):
    if not course_exists(slug):
        abort(404)
    if ConfirmForm().validate_on_submit() and remove_author(slug, user_id, current_user):
        db.session.commit()
        flash(_("The author was removed."), "success")
    return redirect(url_for("studio.authors", slug=slug))


# ---------------------------------------------------------------- preview, as trainees will see it


@dataclass
class PreviewInfo:
    slug: str
    source: str
    editable: bool
    problems: int
    shown_all: bool = False

    @property
    def is_draft(self) -> bool:
        return self.source == DRAFT


def preview_files_or_404(slug: str, source: str) -> tuple[dict[str, bytes], bool]:
    """The files behind a preview: the draft (authors), any version (authors), the published version (instructors)."""
    editable = may_edit(current_user, slug)
    if source == DRAFT:
        draft = find_draft(slug) if editable else None
        if draft is None:
            abort(404)
        return draft_files(draft), editable
    number = whole_number_within(source) if source.isdigit() else None
    version = find_version(slug, number) if number is not None else None
    if version is None:
        abort(404)
    if not editable:
        latest = latest_version(slug)
        published = db.session.scalar(select(Course.is_published).where(Course.slug == slug))
        if not published or latest is None or latest.id != version.id:
            abort(404)
    return version_files(version), editable


def preview_url_for(slug: str, source: str):
    """`url_for` for the trainee templates in a preview: their links stay inside the preview."""
    def mapped(endpoint: str, **values) -> str:
        if values.get("slug") == slug:
            item_slug = values.get("item_slug")
            if endpoint in ("learning.course", "learning.enrol_in_course"):
                return url_for("studio.preview_course", slug=slug, source=source)
            if endpoint == "learning.item":
                return url_for("studio.preview_item", slug=slug, source=source, item_slug=item_slug)
            if endpoint == "learning.finish":
                return url_for("studio.preview_next", slug=slug, source=source, item_slug=item_slug)
            if endpoint == "learning.offline_urls":
                return url_for("studio.preview_offline", slug=slug, source=source)
            if endpoint == "quizzes.start":
                return url_for("studio.preview_questions", slug=slug, source=source, item_slug=item_slug, start=1)
            if endpoint == "content.media":
                return url_for("studio.preview_media", slug=slug, source=source, path=values.get("path", ""))
        return url_for(endpoint, **values)

    return mapped


def load_preview(slug: str, source: str):
    files, editable = preview_files_or_404(slug, source)
    check = check_course(slug, files)
    if check.parsed is None:
        if editable:
            flash(_("This course cannot be shown yet: fix the problems the checker lists first."), "error")
            return None, redirect(url_for("studio.course", slug=slug))
        abort(404)
    tracks = {t.slug: t for t in db.session.scalars(select(Track))}
    media_base = url_for("studio.preview_media", slug=slug, source=source, path="")
    course = build_course(check.parsed, tracks, media_base)
    info = PreviewInfo(slug=slug, source=source, editable=editable, problems=len(check.problems))
    return (course, info), None


def render_preview(template: str, info: PreviewInfo, **context):
    response = Response(render_template(template, preview=info, url_for=preview_url_for(info.slug, info.source),
                                        **context))
    response.headers["X-Robots-Tag"] = "noindex"
    return no_store(response)


def preview_item_or_404(course, item_slug: str):
    item = find_item(course, item_slug)
    if item is None:
        abort(404)
    return item


@bp.route("/<slug>/preview/<source>/")
@instructors_only
def preview_course(slug: str, source: str):
    loaded, response = load_preview(slug, source)
    if response is not None:
        return response
    course, info = loaded
    return render_preview("studio/preview_course.html", info, course=course, outline=outline_of(course),
                          lang=reading_language(course))


@bp.route("/<slug>/preview/<source>/offline.json")
@instructors_only
def preview_offline(slug: str, source: str):
    """A preview is never saved for offline reading."""
    preview_files_or_404(slug, source)
    return jsonify(urls=[])


@bp.route("/<slug>/preview/<source>/media/<path:path>")
@instructors_only
def preview_media(slug: str, source: str, path: str):
    files, _editable = preview_files_or_404(slug, source)
    relative = f"media/{path}"
    content = files.get(relative)
    mimetype = MEDIA_TYPES.get(PurePosixPath(relative).suffix.lower())
    if content is None or mimetype is None:
        abort(404)
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return no_store(response)


@bp.route("/<slug>/preview/<source>/<item_slug>")
@instructors_only
def preview_item(slug: str, source: str, item_slug: str):
    loaded, response = load_preview(slug, source)
    if response is not None:
        return response
    course, info = loaded
    item = preview_item_or_404(course, item_slug)
    outline = outline_of(course)
    lang = reading_language(course, item)
    previous, following = outline.neighbours(item)
    status = next(s for s in outline.items if s.item.id == item.id)
    if item.is_quiz:
        return render_preview("studio/preview_quiz.html", info, course=course, item=item, outline=outline,
                              status=status, lang=lang, previous=previous, following=following, attempts=[],
                              attempts_left=item.attempts_allowed or None, pass_mark=pass_mark_for(item),
                              open_attempt=None)
    template = "studio/preview_task.html" if item.is_task else "studio/preview_lesson.html"
    return render_preview(template, info, course=course, item=item, outline=outline,
                          status=status, lang=lang, previous=previous, following=following)


@bp.route("/<slug>/preview/<source>/<item_slug>/next", methods=["POST"])
@instructors_only
def preview_next(slug: str, source: str, item_slug: str):
    """"I've finished this lesson" in a preview: go on to the next item, recording nothing."""
    loaded, response = load_preview(slug, source)
    if response is not None:
        return response
    course, _info = loaded
    item = preview_item_or_404(course, item_slug)
    following = outline_of(course).neighbours(item)[1]
    if following is None:
        return redirect(url_for("studio.preview_course", slug=slug, source=source))
    return redirect(url_for("studio.preview_item", slug=slug, source=source, item_slug=following.slug))


@dataclass
class PreviewAttempt:
    number: int = 1
    score: float = 0
    passed: bool = False
    results: list | None = None
    language: str = ""


@bp.route("/<slug>/preview/<source>/<item_slug>/questions", methods=["GET", "POST"])
@instructors_only
def preview_questions(slug: str, source: str, item_slug: str):
    """Every question of a quiz in file order, answered and graded in the page only: nothing is stored."""
    if request.method == "POST" and request.args.get("start"):
        return redirect(url_for("studio.preview_questions", slug=slug, source=source, item_slug=item_slug))
    loaded, response = load_preview(slug, source)
    if response is not None:
        return response
    course, info = loaded
    item = preview_item_or_404(course, item_slug)
    if not item.is_quiz:
        abort(404)
    info.shown_all = True
    lang, questions = quiz_questions(item, reading_language(course))
    layout = [{"q": index, "options": list(range(len(q.get("options") or []))) or None}
              for index, q in enumerate(questions)]
    shown = [(position, entry, questions[entry["q"]]) for position, entry in enumerate(layout)]
    attempt = PreviewAttempt(language=lang)
    if request.method == "POST":
        answers: dict = {}
        for position, entry in enumerate(layout):
            key = f"q{position}"
            if questions[entry["q"]]["kind"] == "multiple":
                answers[str(position)] = [v[:10] for v in request.form.getlist(key)][:50]
            elif key in request.form:
                answers[str(position)] = request.form[key][:500]
        grade = grade_attempt(questions, layout, answers, pass_mark_for(item), item.partial_credit)
        attempt.score, attempt.passed = grade.score, grade.passed
        attempt.results = [r.stored() for r in grade.results]
        return render_preview("studio/preview_result.html", info, course=course, item=item, shown=shown,
                              attempt=attempt, lang=lang, pass_mark=pass_mark_for(item), attempts_left=None)
    return render_preview("studio/preview_questions.html", info, course=course, item=item, shown=shown,
                          attempt=attempt, lang=lang, pass_mark=pass_mark_for(item))


@bp.route("/<slug>/phone/<source>")
@instructors_only
def phone(slug: str, source: str):
    """The preview in a phone-sized frame (360 × 640), beside the studio on a computer."""
    preview_files_or_404(slug, source)
    return render_template("studio/phone.html", slug=slug, source=source, editable=may_edit(current_user, slug),
                           frame_url=url_for("studio.preview_course", slug=slug, source=source))



# ---------------------------------------------------------------- question banks from Excel or Moodle

MAX_BANK_BYTES = 5 * 1024 * 1024


@bp.route("/question-bank-template.<lang>.xlsx")
@instructors_only
def question_bank_template(lang: str):
    if lang not in ("zh", "en"):
        abort(404)
    response = Response(template_xlsx(english=lang == "en"),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = "question-bank-template" if lang == "en" else "tiku-template"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@bp.route("/<slug>/questions", methods=["GET", "POST"])
@instructors_only
def import_questions(slug: str):
    """Upload a bank, see what it becomes (and every row it could not read); saving adds it to the draft."""
    editable_or_404(slug)
    form = QuestionBankForm()
    files, draft = working_files(slug)
    if request.method == "POST" and request.form.get("action") == "save":
        return _save_bank_files(slug, files, draft)
    result = generated = previews = None
    status = 200
    if form.validate_on_submit():
        data = read_upload(form.bank.data, MAX_BANK_BYTES)
        if data is None:
            form.bank.errors.append(_("The file is larger than %(mb)s MB.", mb=MAX_BANK_BYTES // 1024 // 1024))
            status = 400
        else:
            result = read_any(data, form.bank.data.filename or "")
            generated = {path.split("/", 1)[1]: text for path, text in
                         quiz_files(result, f"{slug}/{form.name.data}", None).items()}
            media_base = url_for("studio.preview_media", slug=slug, source=working_source(draft, slug) or DRAFT,
                                 path="")
            previews = {path: preview_file(path, text, files, media_base) for path, text in generated.items()}
    elif request.method == "POST":
        status = 400
    return render_template("studio/questions.html", slug=slug, form=form, result=result, generated=generated,
                           previews=previews, existing=set(files), draft=draft,
                           revision=draft.revision if draft else 0), status


def _save_bank_files(slug: str, files: dict[str, bytes], draft) -> Response:
    form = ConfirmForm()
    names = request.form.getlist("path")
    texts = request.form.getlist("text")
    if not form.validate_on_submit() or not names or len(names) != len(texts):
        abort(400)
    if any(not re.fullmatch(r"\d{1,4}-[a-z0-9-]+\.quiz(?:\.en)?\.md", name) for name in names):
        abort(400)
    clashes = [name for name in names if name in files]
    if clashes:
        flash(_("%(name)s exists already.", name=", ".join(clashes)), "error")
        return redirect(url_for("studio.import_questions", slug=slug))
    try:
        for name, text in zip(names, texts, strict=True):
            files = set_file(files, name, text)
        save_draft(slug, files, current_user, whole_number_within(request.form.get("revision"), 0, 10**9) or 0)
        db.session.commit()
    except StudioError as problem:
        db.session.rollback()
        flash(studio_message(problem), "error")
        return redirect(url_for("studio.import_questions", slug=slug))
    flash(_("Saved in the draft. Trainees see it only after you publish."), "success")
    return redirect(url_for("studio.course", slug=slug))
