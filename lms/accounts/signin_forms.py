from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from lms.accounts.forms import PASSWORD_MESSAGES, PasswordRules, validate_phone_field
from lms.accounts.passwords import password_problem


class ChoosePasswordForm(FlaskForm):
    """The first password of someone who came in with a sign-in card."""

    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password."))])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Type the password again.")),
                    EqualTo("password", _l("The two passwords are not the same."))],
    )

    def __init__(self, *args, phone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.phone = phone

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.phone)
        if problem:
            raise ValidationError(PASSWORD_MESSAGES[problem])


class ResetWithCodeForm(FlaskForm):
    phone = StringField(_l("Mobile number"), validators=[DataRequired(_l("Enter your mobile number.")),
                                                         validate_phone_field])
    code = StringField(_l("Reset code"), validators=[DataRequired(_l("Enter the code from your instructor."))])
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password.")),
                                                             PasswordRules("phone")])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Type the password again.")),
                    EqualTo("password", _l("The two passwords are not the same."))],
    )


class UseCardForm(FlaskForm):
    """One button: signing in with a card is a deliberate POST."""
