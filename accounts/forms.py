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

    role = forms.ChoiceField(
        label=_("What brings you here?"),
        choices=[
            ("poster", _("I post work for an organization: an enterprise or a government unit")),
            ("provider", _("I take work as an individual or a micro-firm")),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "This sets up your dashboard. You can do both later: change it in your profile."
        ),
    )

    def signup(self, request: HttpRequest, user: Any) -> None:
        """allauth calls this after creating the user; the adapter already saved the name."""
