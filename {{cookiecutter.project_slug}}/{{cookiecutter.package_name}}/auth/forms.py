from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from ..models import MIN_PASSWORD_LENGTH


def new_password_fields():
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[InputRequired(), EqualTo("password", message="The passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


# What password managers read to fill the right field.
EMAIL = {"autocomplete": "email"}


class RegisterForm(FlaskForm):
    email = EmailField(
        "Email", validators=[InputRequired(), Email(), Length(max=254)], render_kw=EMAIL
    )
    password, confirm = new_password_fields()


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Email()], render_kw=EMAIL)
    password = PasswordField(
        "Password", validators=[InputRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField("Keep me logged in")


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Email()], render_kw=EMAIL)


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()
