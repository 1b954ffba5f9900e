from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from lms.accounts.passwords import MIN_PASSWORD_LENGTH, password_problem
from lms.accounts.service import AccountError, normalize_display_name, normalize_phone

PASSWORD_MESSAGES = {
    "too_short": _l("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
    "too_common": _l("This password is too easy to guess. Try a short sentence you will remember."),
    "contains_phone": _l("Do not use your phone number in your password."),
}
ACCOUNT_MESSAGES = {
    "bad_phone": _l("Enter an 11-digit mobile number, like 13812345678."),
    "phone_taken": _l("This phone number already has an account. Sign in instead."),
    "name_missing": _l("Enter your name."),
    "name_too_long": _l("The name is too long."),
    "name_bad_characters": _l("The name contains characters that cannot be printed."),
}


def validate_phone_field(form, field):
    try:
        field.data = normalize_phone(field.data)
    except AccountError as error:
        raise ValidationError(ACCOUNT_MESSAGES[error.code]) from None


def validate_name_field(form, field):
    try:
        field.data = normalize_display_name(field.data)
    except AccountError as error:
        raise ValidationError(ACCOUNT_MESSAGES[error.code]) from None


class PasswordRules:
    def __init__(self, phone_field: str | None = None):
        self.phone_field = phone_field

    def __call__(self, form, field):
        phone = form[self.phone_field].data if self.phone_field else ""
        problem = password_problem(field.data or "", phone or "")
        if problem:
            raise ValidationError(PASSWORD_MESSAGES[problem])


class RegisterForm(FlaskForm):
    phone = StringField(_l("Mobile number"), validators=[DataRequired(_l("Enter your mobile number.")),
                                                         validate_phone_field])
    display_name = StringField(
        _l("Your name (as printed on certificates)"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=40), validate_name_field],
    )
    village = StringField(_l("Village (optional)"), validators=[Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password.")),
                                                         PasswordRules("phone")])
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(_l("Type the password again.")),
                    EqualTo("password", _l("The two passwords are not the same."))],
    )


class LoginForm(FlaskForm):
    phone = StringField(_l("Mobile number"), validators=[DataRequired(_l("Enter your mobile number."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this phone for 30 days"),
                            description=_l("Only on your own phone. Do not tick this on a shared phone or computer."),
                            default=False)


class EndSignInsForm(FlaskForm):
    """"everywhere", "others", or the id of one sign-in to end."""

    which = StringField(validators=[DataRequired(), Length(max=12)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your password."))])
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password.")),
                                                             PasswordRules()])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Type the password again.")),
                    EqualTo("password", _l("The two passwords are not the same."))],
    )
