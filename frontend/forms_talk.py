"""Forms of the talk between posters and providers: task questions, negotiation messages and
offers (an offer's milestones reuse the bid's milestone rows)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bids.negotiation.services import BODY_MAX, NOTE_MAX
from frontend.forms_tasks import YuanField
from tasks.services.questions import ANSWER_MAX, QUESTION_MAX


class QuestionForm(forms.Form):
    body = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Public once answered. Other providers never see who asked."),
    )


class ClarificationForm(forms.Form):
    body = forms.CharField(
        label=_("Clarification for all bidders"),
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    file = forms.FileField(label=_("Attach a file"), required=False)
    client_id = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Write a message or attach a file."))
        return data


class OfferForm(forms.Form):
    amount = YuanField(label=_("Price"), help_text=_("The total for the whole work, in yuan."))
    duration_days = forms.IntegerField(
        label=_("Duration (days)"),
        min_value=1,
        max_value=5 * 365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What changed and why (optional)."),
    )


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("Why (optional)"), max_length=NOTE_MAX, required=False)
