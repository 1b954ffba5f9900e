"""Forms of the reports pages: export filters, user search and the user changes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from lms.accounts.models import ROLES
from lms.accounts.service import MAX_NAME_LENGTH, MAX_VILLAGE_LENGTH


def optional_int(value):
    if value in (None, ""):
        return None
    return int(value)


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def optional_text(value):
    return value or None


class ExportFilterFields(FlaskForm):
    """The filters the completion export and the attendance export share."""

    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To (included)"), validators=[Optional()])
    track = SelectField(_l("Track"), coerce=optional_int)
    specialty = SelectField(_l("Specialty"), coerce=optional_int)
    level = SelectField(_l("Level"), coerce=optional_text)
    course = SelectField(_l("Course"), coerce=optional_int)
    cohort = SelectField(_l("Workshop"), coerce=optional_int)
    village = StringField(_l("Village"), validators=[Optional(), Length(max=80)])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date cannot be before the start date."))


class ExportForm(ExportFilterFields):
    date_field = SelectField(_l("Dates are"), choices=[SelectChoice("completed", _l("Completion dates")),
                                                       SelectChoice("enrolled", _l("Enrolment dates"))],
                             default="completed")
    status = SelectField(_l("Status"), coerce=optional_text)
    file_format = RadioField(_l("File type"), choices=[SelectChoice("csv", _l("CSV (opens in Excel and WPS)")),
                                                       SelectChoice("xlsx", _l("Excel workbook (XLSX)"))],
                             default="csv")
    header = RadioField(_l("Column names"), choices=[
        SelectChoice("zh", _l("Chinese")), SelectChoice("en", _l("English")),
        SelectChoice("machine", _l("Machine names (for other programs)")),
    ])


class SummaryDownloadForm(FlaskForm):
    """Only the CSRF token: downloading the summary is recorded in the audit log."""


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField(_l("Name, phone or village"), validators=[Optional(), Length(max=80)])
    role = SelectField(_l("Role"), coerce=optional_text)
    status = SelectField(_l("Account"), coerce=optional_text)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(role) for role in ROLES], validators=[DataRequired()])


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[DataRequired()])


class ProfileForm(FlaskForm):
    """The name and village an administrator corrects, as printed on certificates and counted in reports."""

    display_name = StringField(_l("Display name"), validators=[
        DataRequired(_l("Enter the name.")), Length(max=MAX_NAME_LENGTH,
                                                    message=_l("The name is too long (at most 40 characters).")),
    ])
    village = StringField(_l("Village"), validators=[
        Optional(), Length(max=MAX_VILLAGE_LENGTH, message=_l("The village is too long (at most 80 characters).")),
    ])


MAX_VILLAGE_LIST_CHARACTERS = 200_000  # a county has a few hundred villages; room for every township's too


class VillagesForm(FlaskForm):
    """The county's villages, one a line, that registration offers as a trainee types."""

    villages = TextAreaField(_l("Villages, one a line"), validators=[
        DataRequired(_l("Write at least one village.")),
        Length(max=MAX_VILLAGE_LIST_CHARACTERS, message=_l("The list is too long.")),
    ], render_kw={"rows": 14})


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
