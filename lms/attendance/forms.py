"""Forms for planning sessions, the roll call and typing a check-in code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from lms.attendance.sessions import MAX_REPEAT_WEEKS
from lms.numbers import WholeNumberField
from lms.reports.forms import ExportFilterFields


class SessionForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    starts = TimeField(_l("Starts at"), validators=[DataRequired(_l("Enter the time it starts."))])
    ends = TimeField(_l("Ends at"), validators=[DataRequired(_l("Enter the time it ends."))])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=120)])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=200)])
    bring = StringField(_l("What to bring"), validators=[Optional(), Length(max=200)])
    minutes = WholeNumberField(_l("Minutes credited (leave empty for the session's length)"),
                               validators=[Optional()], low=0, high=24 * 60,
                               message=_l("Enter a number of minutes from 0 to 1440."))
    late_after = WholeNumberField(_l("Late after this many minutes"), default=15,
                                  validators=[InputRequired(_l("Enter a number of minutes."))], low=0, high=240,
                                  message=_l("Enter a number from 0 to 240."))
    repeat = WholeNumberField(_l("Repeat weekly: how many more weeks"), default=0, validators=[Optional()],
                              low=0, high=MAX_REPEAT_WEEKS, message=_l("Enter a number from 0 to 20."))

    def validate_day(self, field):
        if field.data and not 2000 <= field.data.year <= 2100:
            raise ValidationError(_l("Enter a date between 2000 and 2100."))

    def validate_ends(self, field):
        if field.data and self.starts.data and field.data <= self.starts.data:
            raise ValidationError(_l("The session must end after it starts."))


class CodeForm(FlaskForm):
    code = StringField(_l("Check-in code"), validators=[DataRequired(_l("Type the code shown under the QR code."))])


class RequirementForm(FlaskForm):
    percent = WholeNumberField(_l("Certificates need at least this share of the sessions held (%), empty for none"),
                               validators=[Optional()], low=1, high=100, message=_l("Enter a number from 1 to 100."))


class AttendanceExportForm(ExportFilterFields):
    """The completion export's filters that apply to sessions (dates are the sessions' days), read from
    the query string, so a filtered download is a link."""

    class Meta:
        csrf = False  # a GET form: downloading changes nothing
