"""Turning domain errors from services into form errors, in one place."""

from __future__ import annotations

from django import forms

from marketplace.errors import DomainError


def form_apply_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Attach a service's DomainError to the form: per-field messages to their fields when the
    form has them, everything else (and the main message) to the form's non-field errors."""
    placed = False
    for name, messages in exc.fields.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))
