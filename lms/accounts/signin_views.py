"""Signing in with a printed card, choosing the first password, and resetting a password with a code."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import public, signed_in
from lms.accounts.service import AccountError
from lms.accounts.signin_forms import ChoosePasswordForm, ResetWithCodeForm, UseCardForm
from lms.accounts.signin_links import choose_first_password, find_usable_link, redeem_reset_code, use_sign_in_link
from lms.accounts.views import _phone_key, start_session
from lms.extensions import db, limiter
from lms.security import safe_next

bp = Blueprint("signin_links", __name__)

CARD_SIGNIN_PENDING = "card_signin_pending"  # session key: came in with a card, no password chosen yet
AFTER_SIGN_IN = "after_sign_in"  # session key: where a card sign-in lands once the password is chosen
# What someone who came in with a card may still open before choosing a password. Another card or a
# reset code stays usable: on a shared phone the next trainee must not land on this one's form.
_ALLOWED_BEFORE_PASSWORD = {"signin_links.choose_password", "signin_links.redeem", "signin_links.reset",
                            "accounts.logout", "assets", "static", "language.switch_language"}


def remember_after_sign_in(target: str) -> None:
    """A page that sends a signed-out visitor to sign in keeps its way back here too: a card's QR code
    opens /signin/<token>, which cannot carry `next`, so the card sign-in finds the way back here."""
    session[AFTER_SIGN_IN] = target


@bp.before_app_request
def require_chosen_password():
    """After a sign-in card, every page leads to "choose a password" until one is chosen."""
    if not session.get(CARD_SIGNIN_PENDING):
        return None
    endpoint = request.endpoint or ""
    if endpoint in _ALLOWED_BEFORE_PASSWORD or endpoint.startswith(("offline.", "health.")):
        return None
    if not current_user.is_authenticated:
        session.pop(CARD_SIGNIN_PENDING, None)
        return None
    return redirect(url_for("signin_links.choose_password"))


# A whole village hall shares one address and may scan its cards in the same minute; a token has
# 256 random bits, so the limit only stops hammering. Reset codes are short: limited per phone, and
# five wrong tries void the code.
@bp.route("/signin/<token>", methods=["GET", "POST"])
@public
@limiter.limit("60 per minute", methods=["POST"])
def redeem(token: str):
    """The page a card's QR code opens. Signing in takes a tap (a POST), so link previews cannot use the card up."""
    link = find_usable_link(token)
    if link is None:
        return render_template("accounts/signin_link_spent.html"), 404
    form = UseCardForm()
    if form.validate_on_submit():
        user = use_sign_in_link(token)
        if user is None:
            return render_template("accounts/signin_link_spent.html"), 404
        landing = safe_next(request.args.get("next") or session.get(AFTER_SIGN_IN), "")
        start_session(user)
        db.session.commit()
        session[CARD_SIGNIN_PENDING] = True
        if landing:
            session[AFTER_SIGN_IN] = landing
        return redirect(url_for("signin_links.choose_password"))
    return render_template("accounts/signin_link.html", name=link.user.display_name, form=form)


@bp.route("/account/choose-password", methods=["GET", "POST"])
@signed_in
def choose_password():
    if not session.get(CARD_SIGNIN_PENDING):
        return redirect(url_for("accounts.change_password"))
    user = current_user._get_current_object()  # login_user needs the user itself, not the proxy
    form = ChoosePasswordForm(phone=user.phone)
    if form.validate_on_submit():
        landing = safe_next(session.get(AFTER_SIGN_IN), url_for("learning.my_learning"))
        choose_first_password(user, form.password.data)
        start_session(user)  # a new sign-in (the new password ended the others); clears the "choose a password" mark
        db.session.commit()
        flash(_("Your password is set. Next time, sign in with your phone number and this password."), "success")
        return redirect(landing)
    return render_template("accounts/choose_password.html", form=form), 400 if form.errors else 200


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute", methods=["POST"])
@limiter.limit("10 per minute", key_func=_phone_key, methods=["POST"])
def reset():
    form = ResetWithCodeForm()
    if request.method == "GET" and request.args.get("phone"):
        form.phone.data = request.args["phone"][:20]
    if form.validate_on_submit():
        try:
            user = redeem_reset_code(form.phone.data, form.code.data, form.password.data)
        except AccountError:
            db.session.commit()  # the failed try counts against the code
            form.code.errors.append(_("The phone number or the code is not right, or the code has expired. "
                                      "Ask your instructor for a new code."))
        else:
            start_session(user)
            db.session.commit()
            flash(_("Your new password is set. You are signed in."), "success")
            return redirect(url_for("learning.my_learning"))
    return render_template("accounts/reset.html", form=form), 400 if form.errors else 200
