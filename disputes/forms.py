"""The mediator's decision form (admin): amounts typed in yuan, kept in fen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.errors import DomainError
from marketplace.money import Money


class YuanField(forms.CharField):
    def __init__(self, *, currency: str = "CNY", **kwargs: Any) -> None:
        self.currency = currency
        super().__init__(max_length=20, **kwargs)

    def clean(self, value: Any) -> int:
        text = super().clean(value)
        try:
            money = Money.parse(text, self.currency)
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message)) from None
        if money.amount < 0:
            raise forms.ValidationError(_("Amounts are zero or more."))
        return money.amount


class DecisionForm(forms.Form):
    refund = YuanField(
        label=_("Refund to the poster (¥)"), help_text=_("Back to the poster's funding.")
    )
    release = YuanField(
        label=_("Release to the provider (¥)"),
        help_text=_("Paid to the provider, less the platform fee."),
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Shown to both parties. Say which evidence decided it."),
    )
