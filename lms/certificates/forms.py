from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from lms.certificates.codes import LENGTH, normalize_code
from lms.certificates.issuing import MAX_REASON_LENGTH


class VerifyForm(FlaskForm):
    """Sent with GET (`/verify?code=...`), so it carries no CSRF token: it changes nothing."""

    class Meta:
        csrf = False

    code = StringField(_l("Certificate number"), validators=[DataRequired(_l("Enter the number printed on the "
                                                                             "certificate."))])

    def validate_code(self, field):
        if normalize_code(field.data) is None:
            raise ValidationError(_l("A certificate number has %(length)s letters and digits, for example "
                                     "K7QM3-XHP9T-WDR2F. Check it and try again.", length=LENGTH))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Why is this certificate revoked?"), validators=[
        DataRequired(_l("Write the reason: it is kept in the audit log.")),
        Length(max=MAX_REASON_LENGTH, message=_l("Write at most 500 characters.")),
    ])


class ReissueForm(FlaskForm):
    note = TextAreaField(_l("Note for the audit log (optional)"), validators=[
        Optional(), Length(max=MAX_REASON_LENGTH, message=_l("Write at most 500 characters.")),
    ])


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Number or name"), validators=[Optional(), Length(max=80)])
