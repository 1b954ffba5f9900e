"""Workshops: joining with a code (trainees), and managing cohorts, progress, imports and cards (instructors).

Every instructor route is `role_required("instructor")` (trainees get 403, administrators pass);
a cohort, trainee or import outside the instructor's reach is a 404 (see lms/cohorts/policy.py).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from lms.access import public, role_required, signed_in
from lms.accounts.models import SignInToken, User
from lms.accounts.signin_links import format_reset_code, issue_reset_code, issue_sign_in_link
from lms.attendance.records import status_marks, status_names, trainee_record, workshop_attendance
from lms.cohorts.cards import Card, qr_svg, render_cards_pdf
from lms.cohorts.dashboard import (
    IDLE_DAYS_DEFAULT,
    IDLE_DAYS_MAX,
    attempts_for_review,
    build_grid,
    cohort_courses,
    csv_rows,
)
from lms.cohorts.forms import (
    CardsForm,
    CohortForm,
    ConfirmForm,
    ImportForm,
    JoinForm,
    RemoveMemberForm,
    ResetCodeForm,
    SingleCardForm,
)
from lms.cohorts.importing import ImportProblem, apply_import, check_rows, parse_upload
from lms.cohorts.invitations import answer_invitation, own_pending_invitation, pending_invitations, recount_pending
from lms.cohorts.models import Cohort, CohortMember, TraineeImport
from lms.cohorts.policy import (
    credentials_allowed,
    managed_cohort,
    managed_cohorts,
    may_issue_credentials,
    member_of,
    own_import,
)
from lms.cohorts.workshops import (
    CohortDetails,
    CohortError,
    change_join_code,
    cohorts_of,
    create_cohort,
    find_by_join_code,
    is_full,
    is_member,
    join_by_code,
    member_count,
    member_counts,
    remove_member,
    set_joining,
    update_cohort,
)
from lms.database import utcnow
from lms.extensions import db, limiter
from lms.i18n import course_titles
from lms.learning.progress import missing_prerequisites, progress_by_course, published_courses
from lms.numbers import query_id, query_int
from lms.spreadsheets import csv_chunks

bp = Blueprint("cohorts", __name__)
instructors_only = role_required("instructor")
IMPORT_KEPT_FOR = timedelta(days=2)


def join_messages() -> dict[str, str]:
    return {
        "wrong_code": _("This code is not right. Check the letters with your instructor and try again."),
        "closed": _("This workshop is not taking new members now. Ask your instructor."),
        "full": _("This workshop is full. Ask your instructor."),
    }


def row_error_messages() -> dict[str, str]:
    return {
        "bad_phone": _("The phone number is not an 11-digit mobile number."),
        "name_missing": _("The name is missing."),
        "name_too_long": _("The name is too long (at most 40 characters)."),
        "name_bad_characters": _("The name contains characters that cannot be printed."),
        "duplicate": _("The same phone number is already in row %(line)s."),
        "unknown_cohort": _("No workshop of yours has this code or name."),
        "ambiguous_cohort": _("Several workshops have this name: use the workshop's code instead."),
        "no_cohort": _("No workshop: fill in the workshop column or choose one above."),
    }


def import_outcome_messages() -> dict[str, str]:
    return {
        "created": _("New account made and added"),
        "invited": _("Already has an account: invited. They join when they accept, or give them the join code."),
        "asked_before": _("Already has an account and was invited before: not asked again."),
        "not_invitable": _("Already has an account that cannot be invited (a staff or closed account)."),
        "unchanged": _("Already in the workshop"),
        "skipped": _("Skipped: the row has a problem"),
    }


def import_problem_messages() -> dict[str, str]:
    return {
        "spreadsheet": _("This is an Excel workbook. In Excel choose File → Save as → CSV, then upload that file."),
        "encoding": _("The file could not be read as text. "
                      "Save it as CSV (UTF-8 or the Chinese default) and try again."),
        "unreadable": _("The file is not a readable CSV file."),
        "empty": _("The file has no trainees in it."),
        "too_many_rows": _("The file has more than 2000 rows. Split it into smaller files."),
    }


def cohort_or_404(cohort_id: int) -> Cohort:
    cohort = managed_cohort(current_user, cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def member_or_404(cohort: Cohort, user_id: int) -> User:
    """A member of a cohort already checked with `cohort_or_404`."""
    trainee = member_of(cohort, user_id)
    if trainee is None:
        abort(404)
    return trainee


def join_url(cohort: Cohort) -> str:
    return url_for("cohorts.join_link", code=cohort.join_code, _external=True)


def no_store(response: Response) -> Response:
    """Pages and files carrying a code or sign-in links must not stay in any cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- trainees: joining


def _user_key() -> str:
    return f"user:{current_user.id if current_user.is_authenticated else 'anonymous'}"


# A whole village hall shares one address: the tight limit is per trainee, the loose one per address.
@bp.route("/join", methods=["GET", "POST"])
@signed_in
@limiter.limit("10 per minute", key_func=_user_key, methods=["POST"])
@limiter.limit("120 per minute", methods=["POST"])
def join():
    form = JoinForm()
    if form.validate_on_submit():
        try:
            outcome = join_by_code(current_user, form.code.data)
        except CohortError as error:
            form.code.errors.append(join_messages()[error.code])
        else:
            db.session.commit()
            if outcome.joined:
                flash(_("You joined %(name)s. Your courses are below.", name=outcome.cohort.name), "success")
            else:
                flash(_("You are already in %(name)s.", name=outcome.cohort.name), "info")
            _flash_waiting(outcome.waiting)
            return redirect(url_for("learning.my_learning"))
    status = 400 if form.errors else 200
    return render_template("cohorts/join.html", form=form, cohorts=cohorts_of(current_user)), status


@bp.route("/invitations")
@signed_in
def invitations():
    """Workshops an instructor invited this person to, each with "join" and "no, thanks"."""
    pending = pending_invitations(current_user)
    if current_user.pending_invitations != len(pending):  # a workshop deleted since: set the count right
        recount_pending(current_user.id)
        db.session.commit()
    return render_template("cohorts/invitations.html", invitations=pending, form=ConfirmForm())


@bp.route("/invitations/<int:invitation_id>", methods=["POST"])
@signed_in
def answer(invitation_id: int):
    invitation = own_pending_invitation(current_user, invitation_id)
    if invitation is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        accept = request.form.get("answer") == "join"
        cohort = invitation.cohort
        waiting = answer_invitation(invitation, current_user, accept)
        db.session.commit()
        if not accept:
            flash(_("You said no to %(name)s. Nothing changed.", name=cohort.name), "info")
            return redirect(url_for("cohorts.invitations"))
        flash(_("You joined %(name)s. Your courses are below.", name=cohort.name), "success")
        _flash_waiting(waiting)
        return redirect(url_for("learning.my_learning"))
    return redirect(url_for("cohorts.invitations"))


def _flash_waiting(waiting) -> None:
    for course in waiting:
        flash(_("%(course)s opens after you finish %(required)s.",
                course=course_titles([course]), required=course_titles(missing_prerequisites(current_user, course))),
              "info")


@bp.route("/join/<code>")
@public
def join_link(code: str):
    """The page a scanned QR code opens: the workshop, and one button to join it."""
    cohort = find_by_join_code(code)
    form = JoinForm(code=code)
    if cohort is None:
        form.code.errors = [join_messages()["wrong_code"]]
        return render_template("cohorts/join.html", form=form,
                               cohorts=cohorts_of(current_user) if current_user.is_authenticated else []), 404
    problem = None
    member = current_user.is_authenticated and is_member(cohort, current_user)
    if not member and not cohort.join_open:
        problem = join_messages()["closed"]
    elif not member and is_full(cohort):
        problem = join_messages()["full"]
    return render_template("cohorts/join_link.html", cohort=cohort, form=form, member=member, problem=problem)


# ---------------------------------------------------------------- instructors: workshops


@bp.route("/workshops/")
@instructors_only
def index():
    cohorts = list(db.session.scalars(
        managed_cohorts(current_user).order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    ))
    return render_template("cohorts/index.html", cohorts=cohorts,
                           counts=member_counts([c.id for c in cohorts]))


def _fill_choices(form: CohortForm) -> None:
    language = str(get_locale())
    form.courses.choices = [SelectChoice(c.id, c.title(c.shown_language(language))) for c in published_courses()]
    instructors = db.session.scalars(
        select(User).where(User.role == "instructor", User.active).order_by(User.display_name, User.id)
    )
    form.instructors.choices = [SelectChoice(u.id, f"{u.display_name} (…{u.phone[-4:]})") for u in instructors]


def _details(form: CohortForm) -> CohortDetails:
    return CohortDetails(
        name=" ".join(form.name.data.split()), location=" ".join((form.location.data or "").split()),
        starts_on=form.starts_on.data, ends_on=form.ends_on.data, capacity=form.capacity.data,
        course_ids=list(form.courses.data or []), instructor_ids=list(form.instructors.data or []),
    )


@bp.route("/workshops/new", methods=["GET", "POST"])
@instructors_only
def new():
    form = CohortForm()
    _fill_choices(form)
    if request.method == "GET" and current_user.role == "instructor":
        form.instructors.data = [current_user.id]
    if form.validate_on_submit():
        cohort = create_cohort(current_user, _details(form))
        db.session.commit()
        flash(_("Workshop created. Its code is %(code)s.", code=cohort.join_code), "success")
        return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None), 400 if form.errors else 200


@bp.route("/workshops/<int:cohort_id>/")
@instructors_only
def detail(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    count = member_count(cohort.id)
    return render_template("cohorts/detail.html", cohort=cohort, count=count, full=is_full(cohort, count),
                           join_url=join_url(cohort), attendance=workshop_attendance(cohort, utcnow()))


@bp.route("/workshops/<int:cohort_id>/edit", methods=["GET", "POST"])
@instructors_only
def edit(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    form = CohortForm(obj=cohort) if request.method == "GET" else CohortForm()
    _fill_choices(form)
    if request.method == "GET":
        form.courses.data = [c.id for c in cohort.courses]
        form.instructors.data = [u.id for u in cohort.instructors]
    if form.validate_on_submit():
        update_cohort(cohort, _details(form), current_user)
        db.session.commit()
        flash(_("Workshop saved."), "success")
        return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=cohort), 400 if form.errors else 200


@bp.route("/workshops/<int:cohort_id>/code", methods=["POST"])
@instructors_only
def new_code(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    if ConfirmForm().validate_on_submit():
        code = change_join_code(cohort, current_user)
        db.session.commit()
        flash(_("New code: %(code)s. The old code no longer works.", code=code), "success")
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id))


@bp.route("/workshops/<int:cohort_id>/joining", methods=["POST"])
@instructors_only
def joining(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    if ConfirmForm().validate_on_submit() and request.form.get("state") in ("open", "closed"):
        set_joining(cohort, request.form["state"] == "open", current_user)
        db.session.commit()
        flash(_("Joining is open.") if cohort.join_open else _("Joining is closed."), "success")
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id))


@bp.route("/workshops/<int:cohort_id>/projector")
@instructors_only
def projector(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    url = join_url(cohort)
    return render_template("cohorts/projector.html", cohort=cohort, join_url=url, qr=qr_svg(url),
                           full=is_full(cohort))


# ---------------------------------------------------------------- instructors: progress


def _idle_days() -> int:
    return query_int("idle", IDLE_DAYS_DEFAULT, 1, IDLE_DAYS_MAX)


@bp.route("/workshops/<int:cohort_id>/progress")
@instructors_only
def progress(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    grid = build_grid(cohort, idle_days=_idle_days(), sort=request.args.get("sort"),
                      descending=request.args.get("dir") == "desc")
    attendance = workshop_attendance(cohort, utcnow())
    return render_template("cohorts/progress.html", cohort=cohort, grid=grid, attendance=attendance,
                           attendance_of={member.user.id: member for member in attendance.members},
                           attendance_marks=status_marks(), attendance_names=status_names())


@bp.route("/workshops/<int:cohort_id>/progress.csv")
@instructors_only
def progress_csv(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    grid = build_grid(cohort, idle_days=_idle_days())
    labels = {
        "name": _("Name"), "phone": _("Phone"), "village": _("Village or township"), "joined": _("Joined"),
        "last_progress": _("Last progress"), "finished": _("Items finished"), "total": _("Items in all"),
        "completed": _("completed"), "done": _("done"), "totals": _("Finished by"),
    }
    out = io.StringIO()
    csv.writer(out).writerows(
        csv_rows(grid, str(get_locale()), labels, lambda moment: format_datetime(moment, "yyyy-MM-dd HH:mm"))
    )
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")  # the BOM makes Excel read UTF-8
    response.headers["Content-Disposition"] = f'attachment; filename="workshop-{cohort.id}-progress.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/workshops/<int:cohort_id>/trainees/<int:user_id>")
@instructors_only
def trainee(cohort_id: int, user_id: int):
    cohort = cohort_or_404(cohort_id)
    return render_trainee(cohort, member_or_404(cohort, user_id))


def render_trainee(cohort: Cohort, person: User, remove_form: RemoveMemberForm | None = None,
                   code_form: ResetCodeForm | None = None, card_form: SingleCardForm | None = None,
                   status: int = 200):
    """The trainee's page; a form that was sent with a mistake comes back with its message next to the field."""
    courses = cohort_courses(cohort)
    progress = progress_by_course(person)
    membership = db.session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort.id, CohortMember.user_id == person.id)
    )
    latest_token = db.session.scalar(
        select(SignInToken).where(SignInToken.user_id == person.id).order_by(SignInToken.created_at.desc()).limit(1)
    )
    return render_template(
        "cohorts/trainee.html", cohort=cohort, person=person, courses=courses, progress=progress,
        membership=membership, reviews=attempts_for_review(person, courses), latest_token=latest_token,
        may_issue=may_issue_credentials(current_user, person), now=utcnow(),
        code_form=code_form or ResetCodeForm(formdata=None), card_form=card_form or SingleCardForm(formdata=None),
        remove_form=remove_form or RemoveMemberForm(),
        attendance=trainee_record(cohort, person.id, utcnow()), attendance_names=status_names(),
    ), status


@bp.route("/workshops/<int:cohort_id>/trainees/<int:user_id>/remove", methods=["POST"])
@instructors_only
def remove(cohort_id: int, user_id: int):
    cohort = cohort_or_404(cohort_id)
    person = member_or_404(cohort, user_id)
    form = RemoveMemberForm()
    if not form.validate_on_submit():
        return render_trainee(cohort, person, remove_form=form, status=400)
    remove_member(cohort, person, current_user, form.reason.data)
    db.session.commit()
    flash(_("%(name)s is no longer in this workshop. Their progress is kept.", name=person.display_name), "success")
    return redirect(url_for("cohorts.progress", cohort_id=cohort.id))


# ---------------------------------------------------------------- instructors: reset codes and cards


def _card(person: User, cohort: Cohort, token: str, days: int) -> Card:
    return Card(name=person.display_name, phone=person.phone, village=person.village, cohort_name=cohort.name,
                url=url_for("signin_links.redeem", token=token, _external=True),
                expires_at=utcnow() + timedelta(days=days))


def _pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)


@bp.route("/workshops/<int:cohort_id>/trainees/<int:user_id>/reset-code", methods=["POST"])
@instructors_only
def reset_code(cohort_id: int, user_id: int):
    cohort = cohort_or_404(cohort_id)
    person = member_or_404(cohort, user_id)
    if not may_issue_credentials(current_user, person):
        abort(404)
    form = ResetCodeForm()
    if not form.validate_on_submit():
        return render_trainee(cohort, person, code_form=form, status=400)
    code = issue_reset_code(person, current_user, form.days.data, cohort_id=cohort.id)
    db.session.commit()
    reset_url = url_for("signin_links.reset", phone=person.phone, _external=True)
    return no_store(Response(render_template(
        "cohorts/reset_code.html", cohort=cohort, person=person, code=format_reset_code(code),
        expires_at=utcnow() + timedelta(days=form.days.data), reset_url=reset_url, qr=qr_svg(reset_url),
    )))


@bp.route("/workshops/<int:cohort_id>/trainees/<int:user_id>/card", methods=["POST"])
@instructors_only
def single_card(cohort_id: int, user_id: int):
    cohort = cohort_or_404(cohort_id)
    person = member_or_404(cohort, user_id)
    if not may_issue_credentials(current_user, person):
        abort(404)
    form = SingleCardForm()
    if not form.validate_on_submit():
        return render_trainee(cohort, person, card_form=form, status=400)
    token = issue_sign_in_link(person, current_user, form.days.data, cohort_id=cohort.id)
    pdf = render_cards_pdf([_card(person, cohort, token, form.days.data)], request.host)
    db.session.commit()  # only once the card exists: a failed PDF leaves the older card working
    return _pdf_response(pdf, f"sign-in-card-{person.id}.pdf")


@bp.route("/workshops/<int:cohort_id>/cards", methods=["GET", "POST"])
@instructors_only
def cards(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    form = CardsForm()
    if form.validate_on_submit():
        query = (select(User).join(CohortMember, CohortMember.user_id == User.id)
                 .where(CohortMember.cohort_id == cohort.id, User.role == "trainee", User.active)
                 .order_by(User.display_name, User.id))
        if form.who.data == "new":
            query = query.where(User.password_hash == "")
        if current_user.role != "admin":  # exactly whom `may_issue_credentials` allows
            query = query.where(credentials_allowed(current_user))
        people = list(db.session.scalars(query))
        if not people:
            flash(_("Nobody to print a card for: everyone has chosen a password.") if form.who.data == "new"
                  else _("Nobody to print a card for: the workshop has no trainees yet."), "info")
            return redirect(url_for("cohorts.cards", cohort_id=cohort.id))
        days = form.days.data
        printed = [_card(p, cohort, issue_sign_in_link(p, current_user, days, cohort_id=cohort.id), days)
                   for p in people]
        pdf = render_cards_pdf(printed, request.host)
        db.session.commit()  # only once the cards exist: a failed PDF leaves the older cards working
        return _pdf_response(pdf, f"sign-in-cards-workshop-{cohort.id}.pdf")
    without_password = db.session.scalar(
        select(func.count(User.id)).join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort.id, User.role == "trainee", User.password_hash == "")
    )
    return render_template("cohorts/cards.html", cohort=cohort, form=form, without_password=without_password), \
        400 if form.errors else 200


# ---------------------------------------------------------------- instructors: importing trainees


def _managed_list() -> list[Cohort]:
    return list(db.session.scalars(
        managed_cohorts(current_user).options(selectinload(Cohort.courses))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    ))


@bp.route("/workshops/import/template.csv")
@instructors_only
def import_template():
    """An empty trainee list with the header row in the reader's language, to fill in Excel or WPS."""
    header = [_("Name"), _("Phone"), _("Village or township"), _("Workshop")]  # words the import reads back
    response = Response(b"".join(csv_chunks([[header]])), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="trainees.csv"'
    return response


@bp.route("/workshops/import", methods=["GET", "POST"])
@instructors_only
def import_upload():
    cohorts = _managed_list()
    form = ImportForm()
    form.cohort.choices = [SelectChoice(0, _("None: use the workshop column of the file"))] + [
        SelectChoice(c.id, c.name) for c in cohorts
    ]
    if request.method == "GET":
        wanted = query_id("cohort")
        form.cohort.data = wanted if any(c.id == wanted for c in cohorts) else 0
    if form.validate_on_submit():
        try:
            rows = parse_upload(form.file.data.read())
        except ImportProblem as problem:
            form.file.errors.append(import_problem_messages()[problem.code])
        else:
            db.session.execute(delete(TraineeImport).where(
                TraineeImport.created_by_id == current_user.id, TraineeImport.created_at < utcnow() - IMPORT_KEPT_FOR,
            ))
            batch = TraineeImport(created_by_id=current_user.id, filename=(form.file.data.filename or "")[:255],
                                  cohort_id=form.cohort.data or None, rows=rows)
            db.session.add(batch)
            db.session.commit()
            return redirect(url_for("cohorts.import_preview", import_id=batch.id))
    return render_template("cohorts/import.html", form=form, has_cohorts=bool(cohorts)), 400 if form.errors else 200


def _check(batch: TraineeImport):
    cohorts = _managed_list()
    default = next((c for c in cohorts if c.id == batch.cohort_id), None)
    return check_rows(batch.rows, cohorts, default, cohort_required=current_user.role != "admin"), default


@bp.route("/workshops/import/<int:import_id>", methods=["GET", "POST"])
@instructors_only
def import_preview(import_id: int):
    batch = own_import(current_user, import_id)
    if batch is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        if batch.confirmed_at is not None:
            flash(_("This list was imported already."), "info")
            return redirect(url_for("cohorts.import_preview", import_id=batch.id))
        preview, _default = _check(batch)
        result = apply_import(batch, preview, current_user)
        db.session.commit()
        flash(_("Imported: %(created)s new accounts made, %(invited)s people invited, %(skipped)s rows skipped.",
                created=result.count("created"), invited=result.count("invited"),
                skipped=result.count("skipped")), "success")
        return redirect(url_for("cohorts.import_preview", import_id=batch.id))
    if batch.confirmed_at is not None:
        outcomes = {row["line"]: row["outcome"] for row in batch.outcomes}
        return render_template("cohorts/import_done.html", batch=batch, rows=batch.rows, outcomes=outcomes,
                               messages=import_outcome_messages(), default=batch.cohort)
    preview, default = _check(batch)
    return render_template("cohorts/import_preview.html", batch=batch, preview=preview, default=default,
                           messages=row_error_messages(), form=form)
