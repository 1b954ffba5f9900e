from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.accounts.signin_links import CODE_DAYS_DEFAULT, LINK_DAYS_DEFAULT, MAX_DAYS
from lms.cohorts.importing import MAX_FILE_BYTES
from lms.numbers import WholeNumberField

MAX_CAPACITY = 5000


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CohortForm(FlaskForm):
    name = StringField(_l("Workshop name"), validators=[DataRequired(_l("Enter a name for the workshop.")),
                                                        Length(max=120)])
    location = StringField(_l("Place"), validators=[Optional(), Length(max=120)])
    starts_on = DateField(_l("First day"), validators=[Optional()])
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    capacity = WholeNumberField(_l("Places (leave empty for no limit)"), validators=[Optional()],
                                low=1, high=MAX_CAPACITY, message=_l("Enter a number from 1 to 5000."))
    courses = CheckboxesField(_l("Courses"), coerce=int,
                              validators=[DataRequired(_l("Choose at least one course."))])
    instructors = CheckboxesField(_l("Instructors"), coerce=int, validators=[Optional()])

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))


class JoinForm(FlaskForm):
    code = StringField(_l("Workshop code"), validators=[DataRequired(_l("Enter the 6-character code."))])


class CardsForm(FlaskForm):
    who = RadioField(
        _l("Print cards for"),
        choices=[SelectChoice("new", _l("Trainees who have not chosen a password yet")),
                 SelectChoice("all", _l("Everyone in the workshop (their older cards stop working)"))],
        default="new",
    )
    days = WholeNumberField(_l("The cards work for this many days"), default=LINK_DAYS_DEFAULT,
                            validators=[InputRequired(_l("Enter a number of days."))],
                            low=1, high=MAX_DAYS, message=_l("Enter a number from 1 to 60."))


class SingleCardForm(FlaskForm):
    days = WholeNumberField(_l("The card works for this many days"), default=LINK_DAYS_DEFAULT,
                            validators=[InputRequired(_l("Enter a number of days."))],
                            low=1, high=MAX_DAYS, message=_l("Enter a number from 1 to 60."))


class ResetCodeForm(FlaskForm):
    days = WholeNumberField(_l("The code works for this many days"), default=CODE_DAYS_DEFAULT,
                            validators=[InputRequired(_l("Enter a number of days."))],
                            low=1, high=MAX_DAYS, message=_l("Enter a number from 1 to 60."))


class ImportForm(FlaskForm):
    file = FileField(_l("Trainee list (CSV file)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["csv", "txt"], _l("Choose a .csv file. In Excel: File → Save as → CSV.")),
        FileSize(max_size=MAX_FILE_BYTES, message=_l("The file is too large (at most 256 KB).")),
    ])
    cohort = SelectField(_l("Workshop for rows without one"), coerce=int, validators=[Optional()])


class RemoveMemberForm(FlaskForm):
    reason = TextAreaField(_l("Why is this trainee taken out?"), validators=[
        DataRequired(_l("Write the reason: it is kept in the audit log.")),
        Length(max=500, message=_l("Write at most 500 characters.")),
    ])


class ConfirmForm(FlaskForm):
    """Only a CSRF token: confirming is a deliberate POST."""
