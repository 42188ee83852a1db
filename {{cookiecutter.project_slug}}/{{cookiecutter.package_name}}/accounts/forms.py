"""The forms of the account pages."""

from email_validator import EmailNotValidError
from wtforms import BooleanField, EmailField, PasswordField, ValidationError
from wtforms.validators import Email, EqualTo, InputRequired, Length

from ..pages.forms import Form
from .models import MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, normalize_email


def new_password_fields():
    password = PasswordField(
        "Password",
        validators=[
            InputRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH),
        ],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[InputRequired(), EqualTo("password", message="The passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def an_account_email(form, field):
    """The address has the one spelling an account is known by (which may
    be longer than the address as typed)."""
    try:
        normalize_email(field.data)
    except EmailNotValidError as error:
        raise ValidationError(str(error)) from None


def email_field():
    # autocomplete: what password managers read to fill the right field.
    return EmailField(
        "Email",
        validators=[InputRequired(), Email(), Length(max=MAX_EMAIL_LENGTH), an_account_email],
        render_kw={"autocomplete": "email"},
    )


class RegisterForm(Form):
    email = email_field()
    password, confirm = new_password_fields()


class LoginForm(Form):
    email = email_field()
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me logged in")


class ResetRequestForm(Form):
    email = email_field()


class ResetPasswordForm(Form):
    password, confirm = new_password_fields()
