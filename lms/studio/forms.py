from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import HiddenInput

from lms.accounts.forms import validate_phone_field

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class UploadForm(FlaskForm):
    archive = FileField(_l("Course folder as a ZIP file"), validators=[FileRequired(_l("Choose a ZIP file."))])
    slug = StringField(_l("Course short name (only if the ZIP has no course folder)"), validators=[
        Optional(), Length(max=64),
        Regexp(SLUG_PATTERN, message=_l("Use only lowercase letters a–z, digits and '-', like pack-and-ship.")),
    ])


class VersionUploadForm(FlaskForm):
    archive = FileField(_l("The course as a ZIP file"), validators=[FileRequired(_l("Choose a ZIP file."))])


class EditForm(FlaskForm):
    text = TextAreaField(_l("Markdown"))
    revision = IntegerField(widget=HiddenInput(), validators=[Optional()])


class NewFileForm(FlaskForm):
    name = StringField(_l("File name"), validators=[DataRequired(_l("Enter a file name, like 04-pricing.md.")),
                                                     Length(max=100)])


class ImageForm(FlaskForm):
    image = FileField(_l("Picture (JPEG, PNG, WebP, GIF or SVG)"), validators=[FileRequired(_l("Choose a picture."))])


class PublishForm(FlaskForm):
    note = StringField(_l("What changed (optional)"), validators=[Optional(), Length(max=200)])


class ConfirmForm(FlaskForm):
    """Only a CSRF token: confirming is a deliberate POST."""


class AuthorForm(FlaskForm):
    phone = StringField(_l("Instructor's phone number"), validators=[DataRequired(_l("Enter a phone number.")),
                                                                      validate_phone_field])


class QuestionBankForm(FlaskForm):
    bank = FileField(_l("Question bank: Excel (.xlsx), CSV or Moodle GIFT (.gift, .txt)"),
                     validators=[FileRequired(_l("Choose a question bank file."))])
    name = StringField(_l("Quiz file name"), default="10-question-bank.quiz.md", validators=[
        DataRequired(_l("Enter a file name, like 05-pricing-check.quiz.md.")), Length(max=100),
        Regexp(r"^\d{1,3}-[a-z0-9]+(?:-[a-z0-9]+)*\.quiz\.md$",
               message=_l("Name the quiz like 05-pricing-check.quiz.md.")),
    ])
