"""Sign-up, sign-in, sign-out and password change."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from lms.access import public, signed_in
from lms.accounts.forms import ACCOUNT_MESSAGES, ChangePasswordForm, EndSignInsForm, LoginForm, RegisterForm
from lms.accounts.passwords import verify_password
from lms.accounts.service import AccountError, authenticate, create_user, find_by_phone, normalize_phone, set_password
from lms.accounts.sign_ins import (
    end_all_sign_ins,
    end_one_sign_in,
    end_sign_in,
    is_current,
    open_sign_ins,
    start_sign_in,
)
from lms.accounts.signin_links import revoke_outstanding
from lms.accounts.villages import village_names
from lms.audit.log import record_event
from lms.database import end_transaction
from lms.extensions import db, limiter
from lms.numbers import whole_number_within
from lms.security import safe_next

bp = Blueprint("accounts", __name__)

# A workshop room shares one address (the village hall's router), so the per-address limits leave
# room for everyone in it; guessing one account's password is held back by the per-account limit.
SIGN_INS_PER_ACCOUNT = "10 per minute"
SIGN_INS_PER_ADDRESS = "60 per minute"
REGISTRATIONS_PER_ADDRESS = "200 per hour"  # a hall of trainees registering together shares one router


def _phone_key() -> str:
    return "phone:" + "".join(ch for ch in request.form.get("phone", "") if ch.isdigit())[-11:]


def start_session(user, remember: bool = False) -> None:
    """Sign this browser in: a new sign-in on the server, a fresh session cookie.

    Without "keep me signed in" the cookie ends with the browser and the sign-in after
    12 hours; with it, both last 30 days (lms/accounts/sign_ins.py). Flask-Login's own
    remember-me cookie is never set: a second cookie would be a second thing to forget.
    """
    session.clear()  # nothing from before sign-in survives into the signed-in session
    start_sign_in(user, remember=remember, user_agent=request.headers.get("User-Agent", ""))
    login_user(user, remember=False)
    session.permanent = remember


def end_session() -> None:
    """Sign this browser out: the sign-in ends on the server, so any copy of the cookie is dead too."""
    if current_user.is_authenticated:
        end_sign_in(current_user.get_id())
    logout_user()
    session.clear()


def forget_remember_cookie(response):
    """Delete Flask-Login's remember-me cookie, which browsers may still hold from older versions."""
    config = current_app.config
    response.delete_cookie(config.get("REMEMBER_COOKIE_NAME", "remember_token"),
                           path=config.get("REMEMBER_COOKIE_PATH", "/"), domain=config.get("REMEMBER_COOKIE_DOMAIN"))
    return response


def landing_url(user) -> str:
    """Where each role starts its day: the office on the reports, instructors on their workshops."""
    if user.is_admin:
        return url_for("reports.summary")
    if user.is_instructor:
        return url_for("cohorts.index")
    return url_for("learning.my_learning")


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(REGISTRATIONS_PER_ADDRESS, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("learning.my_learning"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.phone.data, form.display_name.data, form.password.data,
                               village=form.village.data or "")
        except AccountError as error:
            if error.code != "phone_taken":
                form.phone.errors.append(ACCOUNT_MESSAGES[error.code])
            else:
                return _registration_for_a_taken_phone(form.phone.data)
        else:
            start_session(user)
            db.session.commit()
            next_page = safe_next(request.args.get("next"), url_for("learning.catalog"))
            if next_page.startswith(url_for("cohorts.join")):  # came from a workshop's QR code: joining is next
                flash(_("Welcome, %(name)s! One more step: tap “Join this workshop” below.", name=user.display_name),
                      "success")
            else:
                flash(_("Welcome, %(name)s! Choose a course to begin.", name=user.display_name), "success")
            return redirect(next_page)
    status = 200 if not form.errors else 400
    return render_template("accounts/register.html", form=form, villages=village_names()), status


def _registration_for_a_taken_phone(phone: str):
    """Answer as a new registration does (302, the same Argon2 work): the page must not tell a stranger
    that this number has an account. Its owner is sent to sign in; the attempt is audited."""
    owner = find_by_phone(normalize_phone(phone))
    record_event(None, "account.registration_refused", "user", owner.id if owner else None)
    db.session.commit()
    flash(_("We could not open a new account with this number. If the number is yours, sign in; "
            "if you forgot the password, ask your instructor for a reset code."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_INS_PER_ADDRESS, methods=["POST"])
@limiter.limit(SIGN_INS_PER_ACCOUNT, key_func=_phone_key, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.phone.data, form.password.data)
        if user is not None:
            start_session(user, remember=form.remember.data)
            db.session.commit()  # the sign-in, and an upgraded password hash if any
            return redirect(safe_next(request.args.get("next"), landing_url(user)))
        form.password.errors.append(_("The phone number or password is not right."))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
@public
def logout():
    end_session()
    db.session.commit()
    flash(_("You are signed out."), "info")
    return forget_remember_cookie(redirect(url_for("learning.catalog")))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        stored_hash = user.password_hash
        end_transaction()  # no write lock held while Argon2 checks and hashes (about 20 ms each)
        if not verify_password(stored_hash, form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            set_password(user, form.password.data)
            revoke_outstanding(user)  # a lost printed card must not outlive the password change
            remembered = session.permanent
            start_session(user, remember=remembered)  # every other sign-in ended with the new password
            db.session.commit()
            flash(_("Your password is changed. Other phones and browsers are signed out."), "success")
            return redirect(url_for("learning.my_learning"))
    return render_template("accounts/password.html", form=form), 200 if not form.errors else 400


@bp.route("/account/sign-ins", methods=["GET", "POST"])
@signed_in
def sign_ins():
    """Where this person is signed in, and a way to end any of it: a phone lent or lost."""
    form = EndSignInsForm()
    user = current_user._get_current_object()
    here = user.get_id()
    if form.validate_on_submit():
        which = form.which.data
        if which == "everywhere":
            end_all_sign_ins(user)
            end_session()
            db.session.commit()
            flash(_("You are signed out everywhere, on this phone too."), "info")
            return forget_remember_cookie(redirect(url_for("accounts.login")))
        if which == "others":
            ended = end_all_sign_ins(user, keep=here)
            flash(ngettext("Signed out on %(num)s other phone or computer.",
                           "Signed out on %(num)s other phones or computers.", ended), "success")
        elif (sign_in_id := whole_number_within(which)) is not None and end_one_sign_in(user, sign_in_id):
            flash(_("That phone or computer is signed out."), "success")
        db.session.commit()
        return redirect(url_for("accounts.sign_ins"))
    rows = [(sign_in, is_current(sign_in, here)) for sign_in in open_sign_ins(user)]
    return render_template("accounts/sign_ins.html", rows=rows, form=form, device_names=_device_names(),
                           browser_names=_browser_names())


def _device_names() -> dict[str, str]:
    return {"android": _("Android phone"), "harmony": _("HarmonyOS phone"), "iphone": _("iPhone or iPad"),
            "windows": _("Windows computer"), "mac": _("Mac computer"), "linux": _("Linux computer"),
            "other": _("Unknown device")}


def _browser_names() -> dict[str, str]:
    return {"wechat": _("in WeChat"), "chrome": _("Chrome"), "edge": _("Edge"), "firefox": _("Firefox"),
            "safari": _("Safari"), "phone_browser": _("the phone's own browser"), "other": _("a browser")}
