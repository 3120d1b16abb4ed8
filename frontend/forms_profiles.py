"""Forms of provider profiles' extras: portfolio entries, pictures, inviting to a task."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Skill
from marketplace.images import IMAGE_EXTENSIONS


class PortfolioEntryForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_("What the work was, e.g. “Weld seam inspection line for a car plant”."),
    )
    description = forms.CharField(
        label=_("About the case"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The problem, what you did and the result."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1950,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    client = forms.CharField(
        label=_("Client"),
        max_length=120,
        required=False,
        help_text=_("Leave empty if the client must stay confidential."),
    )
    skills = forms.TypedMultipleChoiceField(
        label=_("Skills used"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, skills: list[Skill], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs["max"] = timezone.now().year
        cast(forms.ChoiceField, self.fields["skills"]).choices = [
            (skill.pk, skill.name) for skill in skills
        ]
        if not skills:
            self.fields["skills"].help_text = _(
                "Add skills to your profile first; an entry names skills from your profile."
            )


class PortfolioFileForm(forms.Form):
    file = forms.FileField(
        label=_("Image or file"),
        help_text=_(
            "Images (PNG, JPEG, GIF, WebP) get a thumbnail; PDF, Office files, archives and "
            "drawings are offered as downloads. Checked by content."
        ),
    )


class PictureForm(forms.Form):
    file = forms.FileField(
        label=_("Picture"),
        help_text=_("A PNG, JPEG, GIF or WebP image of at most 2 MB; it is cropped to a square."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in IMAGE_EXTENSIONS)}
        ),
    )


class InviteToTaskForm(forms.Form):
    task = forms.TypedChoiceField(label=_("Task"), coerce=int)

    def __init__(self, *args: Any, tasks: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["task"]).choices = [
            (
                item.task.pk,
                f"{item.task.title} · {item.task.get_status_display()}"
                + (f" · {_('already invited')}" if item.already_invited else ""),
            )
            for item in tasks
        ]
