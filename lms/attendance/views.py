"""Attendance: instructors plan sessions, open the projector and take the roll call; trainees check in.

Instructor routes are `role_required("instructor")`; a session is reached through its workshop,
which must be one the instructor manages (lms/cohorts/policy.py), else 404. Check-in routes are for
signed-in people, except the scanned link, which sends a signed-out trainee to sign in and back.
"""

from __future__ import annotations

import io
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms.access import public, role_required, signed_in
from lms.accounts.signin_views import remember_after_sign_in
from lms.attendance import checkin as marking
from lms.attendance.checkin import set_requirement
from lms.attendance.clock import attendance_now, local_zone
from lms.attendance.codes import current_code, seconds_left
from lms.attendance.forms import AttendanceExportForm, CodeForm, RequirementForm, SessionForm
from lms.attendance.models import STATUSES, VIA_CODE, VIA_QR, AttendanceSession
from lms.attendance.records import export_rows, status_names, workshop_attendance
from lms.attendance.sessions import (
    SessionPlan,
    cancel_session,
    checkin_state,
    close_checkin,
    plan_sessions,
    sessions_of,
    update_session,
    weekly,
)
from lms.certificates.fonts import FontProblem
from lms.cohorts.cards import qr_svg
from lms.cohorts.models import Cohort
from lms.cohorts.policy import managed_cohort, member_of
from lms.cohorts.workshops import member_count
from lms.database import write_transaction
from lms.extensions import db, limiter
from lms.reports.filters import ExportFilters
from lms.reports.views import fill_export_choices
from lms.spreadsheets import add_sheet, csv_chunks, date_cell, new_write_only_workbook, safe_cell, safe_row

bp = Blueprint("attendance", __name__)
instructors_only = role_required("instructor")
PASS_SECONDS = 10 * 60  # a scanned link stays good this long for a trainee who must sign in first


def cohort_or_404(cohort_id: int) -> Cohort:
    cohort = managed_cohort(current_user, cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def session_or_404(session_id: int) -> AttendanceSession:
    session = db.session.get(AttendanceSession, session_id)
    if session is None or managed_cohort(current_user, session.cohort_id) is None:
        abort(404)
    return session


def answer_messages() -> dict[str, str]:
    return {
        marking.CHECKED_IN: _("You are checked in."),
        marking.ALREADY: _("You are already checked in."),
        marking.WRONG_CODE: _("This code is not right or has expired. Look at the screen and try the new code."),
        marking.NOT_MEMBER: _("This session belongs to a workshop you are not in. Nothing was marked."),
        "closed": _("Check-in for this session has closed. Ask your instructor to mark you."),
        "cancelled": _("This session was cancelled. Nothing was marked."),
        "not_yet": _("Check-in for this session has not started yet."),
    }


# ---------------------------------------------------------------- instructors: sessions


def _plan_from(form: SessionForm) -> SessionPlan:
    zone = local_zone()
    starts = datetime.combine(form.day.data, form.starts.data, zone)
    ends = datetime.combine(form.day.data, form.ends.data, zone)
    minutes = form.minutes.data if form.minutes.data is not None else int((ends - starts).total_seconds() // 60)
    return SessionPlan(starts_at=starts, ends_at=ends, place=" ".join((form.place.data or "").split()),
                       topic=" ".join((form.topic.data or "").split()), bring=" ".join((form.bring.data or "").split()),
                       credited_minutes=minutes, late_after_minutes=form.late_after.data)


@bp.route("/workshops/<int:cohort_id>/sessions/")
@instructors_only
def sessions(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    listed = sessions_of(cohort.id)
    counts = {s.id: marking.attended_count(s.id) for s in listed}
    return render_template("attendance/sessions.html", cohort=cohort, sessions=listed, counts=counts,
                           members=member_count(cohort.id), now=attendance_now(), state=checkin_state)


@bp.route("/workshops/<int:cohort_id>/sessions/new", methods=["GET", "POST"])
@instructors_only
def new_session(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    form = SessionForm()
    if request.method == "GET":
        form.place.data = cohort.location
    if form.validate_on_submit():
        planned = plan_sessions(cohort, weekly(_plan_from(form), form.repeat.data or 0, local_zone()), current_user)
        db.session.commit()
        flash(_("%(count)s sessions planned.", count=len(planned)) if len(planned) > 1 else _("Session planned."),
              "success")
        return redirect(url_for("attendance.sessions", cohort_id=cohort.id))
    return render_template("attendance/session_form.html", form=form, cohort=cohort, session=None), \
        400 if form.errors else 200


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@instructors_only
def edit_session(session_id: int):
    session = session_or_404(session_id)
    form = SessionForm()
    del form.repeat
    if request.method == "GET":
        zone = local_zone()
        starts, ends = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
        form.day.data, form.starts.data, form.ends.data = starts.date(), starts.time(), ends.time()
        form.place.data, form.topic.data, form.bring.data = session.place, session.topic, session.bring
        form.minutes.data, form.late_after.data = session.credited_minutes, session.late_after_minutes
    if form.validate_on_submit():
        update_session(session, _plan_from(form), current_user)
        db.session.commit()
        flash(_("Session saved."), "success")
        return redirect(url_for("attendance.sessions", cohort_id=session.cohort_id))
    return render_template("attendance/session_form.html", form=form, cohort=session.cohort, session=session), \
        400 if form.errors else 200


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@instructors_only
def cancel(session_id: int):
    session = session_or_404(session_id)
    cancel_session(session, current_user, attendance_now())
    db.session.commit()
    flash(_("Session cancelled. It stays on the list and counts for nobody."), "success")
    return redirect(url_for("attendance.sessions", cohort_id=session.cohort_id))


@bp.route("/sessions/<int:session_id>/close", methods=["POST"])
@instructors_only
def close(session_id: int):
    session = session_or_404(session_id)
    close_checkin(session, current_user, attendance_now())
    db.session.commit()
    flash(_("Check-in closed."), "success")
    return redirect(url_for("attendance.roll_call", session_id=session.id))


# ---------------------------------------------------------------- instructors: projector and roll call


def _projector_state(session: AttendanceSession) -> dict:
    now = attendance_now()
    code = current_code(current_app.config["SECRET_KEY"], session.id, now)
    url = url_for("attendance.checkin_link", session_id=session.id, code=code, _external=True)
    return {"code": code, "url": url, "count": marking.attended_count(session.id),
            "seconds_left": seconds_left(now), "state": checkin_state(session, now)}


@bp.route("/sessions/<int:session_id>/projector")
@instructors_only
def projector(session_id: int):
    session = session_or_404(session_id)
    state = _projector_state(session)
    response = current_app.make_response(render_template(
        "attendance/projector.html", session=session, qr=qr_svg(state["url"]), members=member_count(session.cohort_id),
        **state))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/sessions/<int:session_id>/projector.json")
@instructors_only
def projector_state(session_id: int):
    """What the projector's script fetches every few seconds: the code, its QR and the count."""
    session = session_or_404(session_id)
    state = _projector_state(session)
    response = jsonify({**state, "qr": str(qr_svg(state["url"]))})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/sessions/<int:session_id>/roll-call")
@instructors_only
def roll_call(session_id: int):
    session = session_or_404(session_id)
    members = sorted((m.user for m in session.cohort.memberships), key=lambda u: (u.display_name, u.id))
    return render_template("attendance/roll_call.html", session=session, members=members,
                           marks=marking.marks_of(session.id), statuses=STATUSES, names=status_names(),
                           state=checkin_state(session, attendance_now()))


@bp.route("/sessions/<int:session_id>/roll-call/<int:user_id>", methods=["POST"])
@instructors_only
def mark(session_id: int, user_id: int):
    session = session_or_404(session_id)
    trainee = member_of(session.cohort, user_id)
    if trainee is None:
        abort(404)
    status = request.form.get("status")
    if status not in STATUSES:
        abort(400)
    marking.set_mark(session, trainee, status, current_user, attendance_now())
    db.session.commit()
    flash(_("%(name)s: %(status)s.", name=trainee.display_name, status=status_names()[status]), "success")
    return redirect(url_for("attendance.roll_call", session_id=session.id, _anchor=f"member-{trainee.id}"))


# ---------------------------------------------------------------- trainees: check-in


def _user_key() -> str:
    return f"user:{current_user.id if current_user.is_authenticated else 'anonymous'}"


def _passes() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="attendance-pass")


def _answer(outcome: marking.CheckInOutcome, status: int = 200):
    page = render_template("attendance/checked_in.html", outcome=outcome, message=answer_messages()[outcome.answer],
                           names=status_names(), form=CodeForm())
    return page, status


def _check_in_and_answer(session: AttendanceSession, via: str):
    outcome = marking.check_in(current_user, session, attendance_now(), via)
    db.session.commit()
    return _answer(outcome, 200 if outcome.answer in (marking.CHECKED_IN, marking.ALREADY) else 409)


# A whole village hall shares one address: the tight limit is per trainee, the loose one per address.
@bp.route("/checkin", methods=["GET", "POST"])
@signed_in
@limiter.limit("10 per minute", key_func=_user_key, methods=["POST"])
@limiter.limit("300 per minute", methods=["POST"])
def checkin():
    """Typing the short code shown under the QR code, for phones that cannot scan."""
    form = CodeForm()
    if form.validate_on_submit():
        found = marking.session_for_typed_code(current_user, form.code.data, current_app.config["SECRET_KEY"],
                                               attendance_now())
        if found.answer == "open":
            return _check_in_and_answer(found.session, VIA_CODE)
        form.code.errors.append(answer_messages()[found.answer])
    return render_template("attendance/checkin.html", form=form), 400 if form.errors else 200


@bp.route("/checkin/<int:session_id>/<code>")
@public
@limiter.limit("300 per minute")
def checkin_link(session_id: int, code: str):
    """The link in the projector's QR code. Signed in: marked at once. Signed out: off to sign in,
    with a pass that brings the trainee back here checked in even after the code has rotated."""
    if not current_user.is_authenticated:
        found = marking.session_for_link(session_id, code, current_app.config["SECRET_KEY"], attendance_now())
        if found.answer != "open":
            return _answer(found, 404 if found.answer == marking.WRONG_CODE else 409)
        back = url_for("attendance.checkin_pass", token=_passes().dumps(session_id))
        remember_after_sign_in(back)  # for a sign-in card, whose link cannot carry `next`
        return redirect(url_for("accounts.login", next=back))
    db.session.commit()  # a GET that writes: begin again as a writer (lms/database.py)
    with write_transaction():
        found = marking.session_for_link(session_id, code, current_app.config["SECRET_KEY"], attendance_now())
        if found.answer != "open":
            return _answer(found, 404 if found.answer == marking.WRONG_CODE else 409)
        return _check_in_and_answer(found.session, VIA_QR)


@bp.route("/checkin/pass/<token>")
@signed_in
def checkin_pass(token: str):
    try:
        session_id = _passes().loads(token, max_age=PASS_SECONDS)
    except BadSignature:
        return _answer(marking.CheckInOutcome(marking.WRONG_CODE), 404)
    db.session.commit()
    with write_transaction():
        session = db.session.get(AttendanceSession, session_id)
        if session is None:
            return _answer(marking.CheckInOutcome(marking.WRONG_CODE), 404)
        return _check_in_and_answer(session, VIA_QR)




# ---------------------------------------------------------------- records, exports, the sign-in sheet


@bp.route("/workshops/<int:cohort_id>/attendance")
@instructors_only
def records(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    return _records_page(cohort, RequirementForm(percent=cohort.attendance_required_percent))


def _records_page(cohort: Cohort, form: RequirementForm, status: int = 200):
    table = workshop_attendance(cohort, attendance_now())
    return render_template("attendance/records.html", cohort=cohort, table=table, names=status_names(),
                           initials=status_initials(), form=form), status


@bp.route("/workshops/<int:cohort_id>/attendance/requirement", methods=["POST"])
@instructors_only
def requirement(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    form = RequirementForm()
    if not form.validate_on_submit():
        return _records_page(cohort, form, 400)
    set_requirement(cohort, form.percent.data, current_user, attendance_now())
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("attendance.records", cohort_id=cohort.id))


def status_initials() -> dict[str, str]:
    return {"present": _("✓"), "late": _("late"), "absent": _("✗"), "excused": _("excused")}


def _export_header() -> list[str]:
    return [_("Workshop"), _("Session starts"), _("Session ends"), _("Topic"), _("Place"), _("Name"), _("Phone"),
            _("Village or township"), _("Status"), _("Hours credited")]


def _status_word(session: AttendanceSession, status: str | None) -> str:
    if session.cancelled:
        return _("session cancelled")
    return status_names()[status] if status else ""


def _export_values(rows):
    zone = local_zone()
    for cohort, session, user, status in rows:
        credited = session.credited_minutes / 60 if status in ("present", "late") and not session.cancelled else 0
        yield [cohort.name, session.starts_at.astimezone(zone).replace(tzinfo=None),
               session.ends_at.astimezone(zone).replace(tzinfo=None), session.topic, session.place,
               user.display_name, user.phone, user.village, _status_word(session, status), round(credited, 2)]


def attendance_csv_response(rows, filename: str) -> Response:
    def batches():
        batch = [safe_row(_export_header())]
        for values in _export_values(rows):
            values[1], values[2] = values[1].strftime("%Y-%m-%d %H:%M"), values[2].strftime("%Y-%m-%d %H:%M")
            batch.append(safe_row(values))
            if len(batch) >= 500:
                yield batch
                batch = []
        yield batch

    response = Response(csv_chunks(batches()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def attendance_xlsx_response(rows, filename: str) -> Response:
    workbook = new_write_only_workbook()
    sheet = add_sheet(workbook, _("Attendance"), _export_header(), widths=(24, 18, 18, 24, 20, 14, 14, 16, 12, 10))
    for values in _export_values(rows):
        cells = []
        for index, value in enumerate(values):
            if index in (1, 2):
                cell = date_cell(sheet)
                cell.value = value
                cells.append(cell)
            else:
                cells.append(safe_cell(value))
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    response = Response(out.getvalue(), mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/workshops/<int:cohort_id>/attendance.csv")
@instructors_only
def records_csv(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    return attendance_csv_response(export_rows([cohort.id], attendance_now()), f"workshop-{cohort.id}-attendance")


@bp.route("/workshops/<int:cohort_id>/attendance.xlsx")
@instructors_only
def records_xlsx(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    return attendance_xlsx_response(export_rows([cohort.id], attendance_now()), f"workshop-{cohort.id}-attendance")


@bp.route("/sessions/<int:session_id>/sheet.pdf")
@instructors_only
def sheet_pdf(session_id: int):
    from lms.attendance.sheet import SheetHeader, SheetRow, render_sheet_pdf  # WeasyPrint loads on first use

    session = session_or_404(session_id)
    table = workshop_attendance(session.cohort, attendance_now())
    names = status_names()
    rows = [SheetRow(number, m.user.display_name, m.user.village or "",
                     names.get(m.statuses.get(session.id), "")) for number, m in enumerate(table.members, start=1)]
    zone = local_zone()
    header = SheetHeader(
        workshop=session.cohort.name, topic=session.topic, place=session.place,
        when=f"{session.starts_at.astimezone(zone):%Y-%m-%d %H:%M} – {session.ends_at.astimezone(zone):%H:%M}",
        hours=f"{session.credited_minutes / 60:g}", cancelled=session.cancelled)
    db.session.commit()  # slow work after the transaction (lms/database.py)
    try:
        pdf = render_sheet_pdf(header, rows, current_app.config)
    except (ValueError, FontProblem) as problem:
        flash(_("The sign-in sheet could not be made: %(problem)s", problem=str(problem)), "error")
        return redirect(url_for("attendance.roll_call", session_id=session_id))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="session-{session_id}-sign-in-sheet.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _county_export_form() -> tuple[AttendanceExportForm, list[str]]:
    form = AttendanceExportForm(request.args)
    return form, fill_export_choices(form)


def _filters_from(form: AttendanceExportForm) -> ExportFilters:
    return ExportFilters(date_from=form.date_from.data, date_to=form.date_to.data, track_id=form.track.data,
                         specialty_id=form.specialty.data, level=form.level.data, course_id=form.course.data,
                         cohort_id=form.cohort.data, village=" ".join((form.village.data or "").split()) or None)


@bp.route("/admin/attendance")
@role_required("admin")
def county_export_page():
    """The county export's filters; the download buttons send them to the .csv or .xlsx address."""
    form, villages = _county_export_form()
    return render_template("attendance/county_export.html", form=form, villages=villages)


@bp.route("/admin/attendance.csv", defaults={"file_format": "csv"})
@bp.route("/admin/attendance.xlsx", defaults={"file_format": "xlsx"})
@role_required("admin")
def county_export(file_format: str):
    """Every workshop's attendance for the county's training office, narrowed by the completion export's
    filters that apply to sessions (`?cohort=` for one workshop, `?date_from=`, `?village=`, ...)."""
    form, villages = _county_export_form()
    if not form.validate():
        flash(_("Some filters are not right. Correct them and download again."), "error")
        return render_template("attendance/county_export.html", form=form, villages=villages), 400
    rows = export_rows(None, attendance_now(), _filters_from(form), local_zone())
    name = f"cunke-attendance-{attendance_now().astimezone(local_zone()):%Y-%m-%d}"
    if file_format == "csv":
        return attendance_csv_response(rows, name)
    return attendance_xlsx_response(rows, name)
