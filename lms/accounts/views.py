"""Sign-up, sign-in, sign-out and password change."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from lms.access import public, signed_in
from lms.accounts.forms import ACCOUNT_MESSAGES, ChangePasswordForm, LoginForm, RegisterForm
from lms.accounts.passwords import verify_password
from lms.accounts.service import AccountError, authenticate, create_user, set_password
from lms.accounts.signin_links import revoke_outstanding
from lms.database import end_transaction
from lms.extensions import db, limiter
from lms.security import safe_next

bp = Blueprint("accounts", __name__)

# A workshop room shares one address (the village hall's router), so the per-address limits leave
# room for everyone in it; guessing one account's password is held back by the per-account limit.
SIGN_INS_PER_ACCOUNT = "10 per minute"
SIGN_INS_PER_ADDRESS = "60 per minute"
REGISTRATIONS_PER_ADDRESS = "60 per hour"


def _phone_key() -> str:
    return "phone:" + "".join(ch for ch in request.form.get("phone", "") if ch.isdigit())[-11:]


def _start_session(user, remember: bool = False) -> None:
    language = session.get("language")
    session.clear()  # nothing from before sign-in survives into the signed-in session
    if language:
        session["language"] = language
    login_user(user, remember=remember)
    session.permanent = True


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(REGISTRATIONS_PER_ADDRESS, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("learning.my_learning"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.phone.data, form.display_name.data, form.password.data)
        except AccountError as error:
            form.phone.errors.append(ACCOUNT_MESSAGES[error.code])
        else:
            db.session.commit()
            _start_session(user)
            flash(_("Welcome, %(name)s! Choose a course to begin.", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("learning.catalog")))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 400


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_INS_PER_ADDRESS, methods=["POST"])
@limiter.limit(SIGN_INS_PER_ACCOUNT, key_func=_phone_key, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learning.my_learning"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.phone.data, form.password.data)
        if user is not None:
            db.session.commit()  # an upgraded password hash, if any
            _start_session(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("learning.my_learning")))
        form.password.errors.append(_("The phone number or password is not right."))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
@public
def logout():
    language = session.get("language")
    logout_user()
    session.clear()
    if language:
        session["language"] = language
    flash(_("You are signed out."), "info")
    return redirect(url_for("learning.catalog"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        stored_hash = user.password_hash
        end_transaction()  # no write lock held while Argon2 checks and hashes (0.2 s each)
        if not verify_password(stored_hash, form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            set_password(user, form.password.data)
            revoke_outstanding(user)  # a lost printed card must not outlive the password change
            db.session.commit()
            _start_session(user)
            flash(_("Your password is changed. Other phones and browsers are signed out."), "success")
            return redirect(url_for("learning.my_learning"))
    return render_template("accounts/password.html", form=form), 200 if not form.errors else 400
