"""Forms of the contract pages: delivering a milestone, asking for changes, reviewing.

They parse and check input; tasks.services decides and writes (and checks everything again).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from contracts.services.delivery import MAX_DELIVERY_FILES
from marketplace.errors import ValidationFailed
from marketplace.files import ALLOWED_EXTENSIONS, check_upload

SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]
SCORE_FIELDS = ("rating", "quality", "communication", "timeliness")
STAR_WORDS = (_("poor"), _("fair"), _("good"), _("very good"), _("excellent"))


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type="file" multiple>; cleans to a list (maybe empty)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _max_bytes() -> int:
    return int(settings.MARKETPLACE["ATTACHMENT_MAX_BYTES"])


class DeliveryForm(forms.Form):
    note = forms.CharField(
        label=_("What you deliver"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Summarise the work, how to check it, and anything the poster should know. "
            "The note and the files are kept as the record of this delivery."
        ),
    )
    attachments = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _(
            "Up to %(count)d files of at most %(size)s each: documents (PDF, Word, Excel, "
            "PowerPoint, OpenDocument, text), images, archives (ZIP, 7z, RAR) and drawings "
            "(STEP, DWG). Each file's SHA-256 fingerprint and the time we receive it are recorded."
        ) % {"count": MAX_DELIVERY_FILES, "size": filesizeformat(_max_bytes())}
        self.fields["attachments"].widget.attrs["accept"] = ",".join(
            f".{e}" for e in ALLOWED_EXTENSIONS
        )
        self.fields["note"].error_messages["required"] = _("Write a short note about the work.")

    def clean_note(self) -> str:
        note = str(self.cleaned_data["note"]).strip()
        if len(note) < 2:
            raise forms.ValidationError(_("Write a short note about the work."))
        return note

    def clean_attachments(self) -> list[UploadedFile]:
        """Check every file by its content now, so each problem is listed at once (the service
        checks them again before anything is stored)."""
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_DELIVERY_FILES:
            raise forms.ValidationError(
                _("Deliver at most %(n)d files at once.") % {"n": MAX_DELIVERY_FILES}
            )
        problems = []
        for upload in files:
            try:
                check_upload(upload, max_bytes=_max_bytes())
            except ValidationFailed as exc:
                problems.append(forms.ValidationError(str(exc.message)))
        if problems:
            raise forms.ValidationError(problems)
        return files


class ChangesForm(forms.Form):
    feedback = forms.CharField(
        label=_("What needs to change"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Be specific: what is missing or wrong, measured against the milestone's description."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["feedback"].error_messages["required"] = _("Write what needs to change.")

    def clean_feedback(self) -> str:
        feedback = str(self.cleaned_data["feedback"]).strip()
        if len(feedback) < 2:
            raise forms.ValidationError(_("Write what needs to change."))
        return feedback


def _score_field(label: Any) -> forms.TypedChoiceField:
    message = _("Give a score from 1 to 5.")
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class ReviewForm(forms.Form):
    rating = _score_field(_("Overall"))
    quality = _score_field(_("Quality"))
    communication = _score_field(_("Communication"))
    timeliness = _score_field(_("Timeliness"))
    comment = forms.CharField(
        label=_("Comment"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Public once both sides have reviewed, or 14 days after completion. "
            "Describe the work, not the person."
        ),
    )

    # What each score means depends on who is reviewing whom.
    HELP = {
        "poster": {
            "rating": _("How the provider did overall."),
            "quality": _("Did the work meet the contract?"),
            "communication": _("Clear, responsive, easy to work with?"),
            "timeliness": _("Delivered by the due dates?"),
        },
        "provider": {
            "rating": _("How the poster did overall."),
            "quality": _("Were the brief and materials clear and complete?"),
            "communication": _("Clear, responsive, easy to work with?"),
            "timeliness": _("Decided on deliveries promptly?"),
        },
    }

    def __init__(self, *args: Any, side: str = "poster", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, text in self.HELP.get(side, self.HELP["poster"]).items():
            self.fields[name].help_text = text

    def scores(self) -> list[dict[str, Any]]:
        """Each score's field with its five choices, each paired with the word it stands for
        (the star input's labels read "4 of 5: very good")."""
        return [
            {"field": self[name], "choices": list(zip(self[name], STAR_WORDS, strict=True))}
            for name in SCORE_FIELDS
        ]
