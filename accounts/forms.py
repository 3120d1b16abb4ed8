"""Forms of the account pages that allauth renders."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form adds to email and password."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        help_text=_("Shown to the organizations and providers you work with."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request: HttpRequest, user: Any) -> None:
        """allauth calls this after creating the user; the adapter already saved the name."""
