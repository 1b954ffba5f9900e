"""Administrators' pages: the summary dashboard, the completion export, the audit log and users.

Every route is `role_required("admin")`: instructors and trainees get 403 (instructors have
their own workshop CSV in lms/cohorts). Downloads that carry personal data change state (they
are written to the audit log) and are therefore POST forms with a CSRF token.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.access import role_required
from lms.accounts.models import ROLES, User
from lms.accounts.villages import parse_villages, replace_villages, village_names
from lms.attendance.records import attendance_summary
from lms.audit.log import record_event
from lms.cohorts.models import Cohort
from lms.content.models import LEVELS, Course, Track
from lms.database import utcnow
from lms.extensions import db
from lms.numbers import MAX_ID, query_id, query_int
from lms.reports import charts
from lms.reports.auditlog import audit_page, known_actions
from lms.reports.certificates import certificates_with_old_name, reissue_with_current_name
from lms.reports.completions import LEVEL_LABELS, STATUS_LABELS, CompletionExport
from lms.reports.filters import ExportFilters
from lms.reports.forms import (
    ActiveForm,
    ConfirmForm,
    ExportForm,
    ProfileForm,
    RoleForm,
    SummaryDownloadForm,
    UserSearchForm,
    VillagesForm,
    choices,
)
from lms.reports.summary import build_summary, write_summary_xlsx
from lms.reports.users import (
    USER_STATUSES,
    UserAdminError,
    correct_profile,
    enrolments_of,
    search_users,
    set_active,
)
from lms.reports.users import change_role as change_user_role

bp = Blueprint("reports", __name__, url_prefix="/admin")
admins_only = role_required("admin")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["LMS_TIMEZONE"])


def language() -> str:
    return str(get_locale())


def role_names() -> dict[str, str]:
    return {"trainee": _("Trainee"), "instructor": _("Instructor"), "admin": _("Administrator")}


def user_error_messages() -> dict[str, str]:
    return {
        "own_account": _("You cannot change your own account here."),
        "bad_role": _("Choose a role from the list."),
        "name_missing": _("The name is missing."),
        "name_too_long": _("The name is too long (at most 40 characters)."),
        "name_bad_characters": _("The name contains characters that cannot be printed."),
    }


def file_response(handle, mimetype: str) -> Response:
    """Stream a finished temporary file from disk in blocks; it is closed (and so deleted) at the end."""
    size = handle.tell()
    handle.seek(0)

    def blocks():
        with handle:
            while block := handle.read(64 * 1024):
                yield block

    response = Response(blocks(), mimetype=mimetype)
    response.content_length = size
    return response


def download(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- summary


def summary_words() -> dict[str, str]:
    return {
        "totals": _("Totals"), "what": _("What"), "number": _("Number"),
        "trainees": _("Trainees"), "trainees_completed": _("Trainees who completed a course"),
        "enrolments": _("Enrolments"), "completions": _("Completions"),
        "by_track": _("By track"), "by_specialty": _("By specialty"), "by_level": _("By level"),
        "per_month": _("Completions per month"), "per_course": _("By course"), "per_cohort": _("By workshop"),
        "per_village": _("By village"), "track": _("Track"), "specialty": _("Specialty"), "level": _("Level"),
        "month": _("Month"), "course": _("Course"), "cohort": _("Workshop"), "village": _("Village"),
        "rate": _("Completion rate (%)"), "median_days": _("Median days to complete"),
    }


def current_summary():
    return build_summary(language(), zone(), {k: str(v) for k, v in LEVEL_LABELS.items()},
                         _("(no village given)"))


def summary_charts(summary) -> dict[str, charts.Chart]:
    words = summary_words()
    table_note = _("The numbers are also in the table below.")
    reach_series = [(_("Enrolled"), "chart-bar"), (_("Completed"), "chart-bar-done")]

    def reach_chart(key: str, rows) -> charts.Chart:
        return charts.horizontal_bars(
            f"chart-{key}", words[key], table_note, [(r.label, [r.trainees, r.completed]) for r in rows],
            reach_series, value_text=lambda v: f"{v:,}")

    def rate_chart(key: str, rows) -> charts.Chart:
        shown = [g for g in rows if g.enrolments][:charts.MAX_BARS]
        desc = table_note if len(shown) == len(rows) else _(
            "The %(count)s with the most enrolments; the table below has all of them.", count=len(shown))
        return charts.horizontal_bars(
            f"chart-{key}", _("%(breakdown)s: completion rate", breakdown=words[key]), desc,
            [(g.label, [g.rate]) for g in shown], [(_("Completion rate"), "chart-bar-done")],
            value_text=lambda v: "" if v is None else f"{v:g}%", largest=100)

    return {
        "by_track": reach_chart("by_track", summary.by_track),
        "by_specialty": reach_chart("by_specialty", summary.by_specialty),
        "by_level": reach_chart("by_level", summary.by_level),
        "per_month": charts.columns("chart-per-month", words["per_month"], table_note,
                                    [(m.label, m.completions) for m in summary.per_month]),
        "per_course": rate_chart("per_course", summary.per_course),
        "per_cohort": rate_chart("per_cohort", summary.per_cohort),
        "per_village": rate_chart("per_village", summary.per_village),
    }


@bp.route("/reports/")
@admins_only
def summary():
    report = current_summary()
    return render_template("reports/summary.html", summary=report, charts=summary_charts(report),
                           words=summary_words(), form=SummaryDownloadForm(),
                           attendance=attendance_summary(utcnow()))


@bp.route("/reports/summary.xlsx", methods=["POST"])
@admins_only
def summary_xlsx():
    if not SummaryDownloadForm().validate_on_submit():
        abort(400)
    report = current_summary()
    handle = tempfile.TemporaryFile()
    try:
        write_summary_xlsx(report, summary_words(), handle)
    except BaseException:
        handle.close()
        raise
    record_event(current_user, "export.summary", format="xlsx", language=language())
    db.session.commit()
    filename = f"cunke-summary-{datetime.now(zone()):%Y-%m-%d}.xlsx"
    return download(file_response(handle, XLSX_MIMETYPE), filename)


# ---------------------------------------------------------------- completion export


def fill_export_choices(form: ExportForm) -> list[str]:
    """Choices from the database, in the reader's language, for the fields `form` has (the attendance export
    has no status). Returns known villages for suggestions."""
    lang = language()
    tracks = list(db.session.scalars(select(Track).order_by(Track.position, Track.id)))
    names = {t.id: t.name(lang) for t in tracks}
    courses = db.session.scalars(select(Course).order_by(Course.position, Course.slug))
    cohorts = db.session.scalars(select(Cohort).order_by(Cohort.starts_on.desc(), Cohort.name))
    form.track.choices = choices([("", _("All tracks"))] + [(t.id, t.name(lang)) for t in tracks
                                                            if t.parent_id is None])
    form.specialty.choices = choices([("", _("All specialties"))] + [
        (t.id, f"{names.get(t.parent_id, '')} · {t.name(lang)}") for t in tracks if t.parent_id is not None])
    form.level.choices = choices([("", _("All levels"))] + [(level, str(LEVEL_LABELS[level])) for level in LEVELS])
    form.course.choices = choices([("", _("All courses"))] + [(c.id, c.title(c.shown_language(lang))) for c in courses])
    form.cohort.choices = choices([("", _("All workshops"))] + [(c.id, c.name) for c in cohorts])
    if "status" in form:
        form.status.choices = choices([("", _("Any status"))] + [(k, str(v)) for k, v in STATUS_LABELS.items()])
    return list(db.session.scalars(
        select(User.village).where(User.role == "trainee", User.village != "").distinct().order_by(User.village)
        .limit(1000)))


def filters_from(form: ExportForm) -> ExportFilters:
    return ExportFilters(
        date_field=form.date_field.data or "completed", date_from=form.date_from.data, date_to=form.date_to.data,
        track_id=form.track.data, specialty_id=form.specialty.data, level=form.level.data,
        course_id=form.course.data, cohort_id=form.cohort.data,
        village=" ".join((form.village.data or "").split()) or None, status=form.status.data,
    )


@bp.route("/reports/export", methods=["GET", "POST"])
@admins_only
def export():
    if request.args.get("format") == "json":
        return _json_export()
    form = ExportForm()
    villages = fill_export_choices(form)
    if request.method == "GET":
        form.header.data = language() if language() in ("zh", "en") else "zh"
    if form.validate_on_submit():
        filters = filters_from(form)
        db.session.commit()  # the export reads on its own connections; nothing may hold the database meanwhile
        completion_export = CompletionExport(filters, zone(), form.header.data)
        rows = completion_export.count()
        if not rows:
            flash(_("No records match these filters. Nothing was exported."), "info")
            return render_template("reports/export.html", form=form, villages=villages)
        stamp = f"{datetime.now(zone()):%Y-%m-%d-%H%M}"
        details = {"format": form.file_format.data, "header": form.header.data, "filters": filters.for_audit()}
        record_event(current_user, "export.completions", rows=rows, **details)
        db.session.commit()
        if form.file_format.data == "xlsx":
            stream = stream_with_context(completion_export.xlsx_stream())
            return download(Response(stream, mimetype=XLSX_MIMETYPE), f"completions-{stamp}.xlsx")
        stream = stream_with_context(completion_export.csv_stream())
        return download(Response(stream, mimetype="text/csv; charset=utf-8"), f"completions-{stamp}.csv")
    return render_template("reports/export.html", form=form, villages=villages), 400 if form.errors else 200


def _json_export() -> Response:
    """GET /admin/reports/export?format=json&status=completed...: the CSV's filters as query parameters, machine
    names and codes as values, streamed; a filter that cannot be read answers 400 with each problem."""
    query = MultiDict(request.args)
    query.setlist("header", ["machine"])
    query.setlist("file_format", ["csv"])
    form = ExportForm(formdata=query, meta={"csrf": False})
    fill_export_choices(form)
    if not form.validate():
        return jsonify({"errors": {name: [str(e) for e in errors] for name, errors in form.errors.items()}}), 400
    filters = filters_from(form)
    db.session.commit()  # as for the CSV: the export reads on its own connections
    completion_export = CompletionExport(filters, zone(), "machine")
    record_event(current_user, "export.completions", rows=completion_export.count(), format="json",
                 header="machine", filters=filters.for_audit())
    db.session.commit()
    stream = stream_with_context(completion_export.json_stream(filters.for_audit()))
    stamp = f"{datetime.now(zone()):%Y-%m-%d-%H%M}"
    return download(Response(stream, mimetype="application/json"), f"completions-{stamp}.json")


# ---------------------------------------------------------------- audit log


@bp.route("/reports/audit")
@admins_only
def audit():
    action = request.args.get("action") or None
    before = query_int("before", None, 1, MAX_ID)
    actor_id = query_id("actor")
    page = audit_page(action=action, before=before, actor_id=actor_id)
    return render_template("reports/audit.html", page=page, actions=known_actions(), action=action,
                           actor_id=actor_id, before=before)


# ---------------------------------------------------------------- users


def user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/villages", methods=["GET", "POST"])
@admins_only
def villages():
    """The list registration offers: replaced whole, audited; a village not on it can still be typed."""
    form = VillagesForm()
    if request.method == "GET":
        form.villages.data = "\n".join(village_names())
    if form.validate_on_submit():
        names = parse_villages(form.villages.data)
        if names:
            count = replace_villages(current_user, names)
            db.session.commit()
            flash(_("%(count)s villages saved; registration now offers them.", count=count), "success")
            return redirect(url_for("reports.villages"))
        form.villages.errors.append(_("Write at least one village."))
    return render_template("reports/villages.html", form=form, count=len(village_names())), \
        400 if form.errors else 200


@bp.route("/users/")
@admins_only
def users():
    form = UserSearchForm(request.args)
    form.role.choices = choices([("", _("All roles"))] + list(role_names().items()))
    form.status.choices = choices([("", _("All accounts")), ("active", _("Active")), ("inactive", _("Switched off"))])
    form.validate()
    page = search_users(form.q.data or "", form.role.data if form.role.data in ROLES else None,
                        form.status.data if form.status.data in USER_STATUSES else None,
                        query_int("page", 1, 1, MAX_ID))
    return render_template("reports/users.html", form=form, page=page, role_names=role_names())


def render_user(user: User, profile_form: ProfileForm | None = None, status: int = 200):
    role_form = RoleForm(role=user.role)
    role_form.role.choices = choices(role_names().items())
    return render_template(
        "reports/user.html", user=user, role_form=role_form, active_form=ActiveForm(),
        profile_form=profile_form or ProfileForm(display_name=user.display_name, village=user.village),
        confirm_form=ConfirmForm(),
        enrolments=enrolments_of(user), old_name_certificates=certificates_with_old_name(user),
        role_names=role_names(),
    ), status


@bp.route("/users/<int:user_id>")
@admins_only
def user(user_id: int):
    return render_user(user_or_404(user_id))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@admins_only
def change_role(user_id: int):
    user = user_or_404(user_id)
    form = RoleForm()
    form.role.choices = choices(role_names().items())
    if form.validate_on_submit():
        try:
            changed = change_user_role(current_user, user, form.role.data)
        except UserAdminError as error:
            flash(user_error_messages()[error.code], "error")
        else:
            db.session.commit()
            if changed:
                flash(_("%(name)s is now: %(role)s.", name=user.display_name, role=role_names()[user.role]),
                      "success")
    return redirect(url_for("reports.user", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admins_only
def change_active(user_id: int):
    user = user_or_404(user_id)
    form = ActiveForm()
    if form.validate_on_submit() and form.active.data in ("yes", "no"):
        try:
            changed = set_active(current_user, user, form.active.data == "yes")
        except UserAdminError as error:
            flash(user_error_messages()[error.code], "error")
        else:
            db.session.commit()
            if changed and user.active:
                flash(_("%(name)s can sign in again.", name=user.display_name), "success")
            elif changed:
                flash(_("%(name)s is switched off and signed out everywhere. Their records stay.",
                        name=user.display_name), "success")
    return redirect(url_for("reports.user", user_id=user.id))


@bp.route("/users/<int:user_id>/name", methods=["POST"])
@admins_only
def change_name(user_id: int):
    user = user_or_404(user_id)
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            changed = correct_profile(current_user, user, form.display_name.data, form.village.data)
        except UserAdminError as error:
            form.display_name.errors.append(user_error_messages()[error.code])
        else:
            db.session.commit()
            if changed:
                flash(_("Name and village corrected."), "success")
            return redirect(url_for("reports.user", user_id=user.id))
    return render_user(user, profile_form=form, status=400)


@bp.route("/users/<int:user_id>/certificates", methods=["POST"])
@admins_only
def reissue_certificates(user_id: int):
    user = user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        issued = reissue_with_current_name(current_user, user)
        db.session.commit()
        if issued:
            flash(_("Certificates re-issued with the corrected name: %(count)s. The old codes now show as replaced.",
                    count=len(issued)), "success")
    return redirect(url_for("reports.user", user_id=user.id))
