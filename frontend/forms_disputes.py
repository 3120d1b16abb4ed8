"""Forms of the dispute pages: opening, responding, adding evidence, appealing.

They parse input; disputes.services decides and writes (and checks everything again).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.models import Dispute


class DisputeOpenForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong"), choices=Dispute.Reason.choices, widget=forms.RadioSelect
    )
    statement = forms.CharField(
        label=_("Your statement"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What happened, what the contract says, and what you ask for. The other party and "
            "the mediator read it."
        ),
    )


class DisputeResponseForm(forms.Form):
    response = forms.CharField(
        label=_("Your response"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Your side of it: the mediator reads both statements with the evidence."),
    )


class DisputeEvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"))
    note = forms.CharField(
        label=_("What it shows"), max_length=2000, required=False, widget=forms.TextInput
    )


class DisputeAppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the decision is wrong"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("You can appeal once. A different mediator decides; that decision is final."),
    )
