"""Accounts: sign up, log in, log out, and password reset by email."""

from .views import bp

__all__ = ["bp"]
