"""Forms of the web app. They parse and validate input; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization, ProviderProfile, ProviderSkill, Skill, User
from accounts.regions import region_choices
from accounts.validators import validate_credit_code, validate_id_number
from marketplace.errors import DomainError
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY, Money


class RegionField(forms.ChoiceField):
    """A region picker whose names follow the language active when the form is built."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Region"))
        kwargs.setdefault("required", False)
        super().__init__(choices=region_choices, **kwargs)


class ProfileForm(forms.Form):
    name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("Shown to the organizations and providers you work with."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("The language of the site and of the emails we send you."),
    )
    role = forms.ChoiceField(
        label=_("What you do here"),
        choices=User.Role.choices,
        widget=forms.RadioSelect,
        # Left out (an older form, a client that only changes the language): the role stays.
        required=False,
        help_text=_(
            "Shapes your navigation, dashboard and checklist; it never limits what you may do."
        ),
    )


class OrganizationForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("The registered name, as on the business licence or the unit's seal."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Organization.Kind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Enterprises and government units post tasks; micro-firms offer their services."
        ),
    )
    region = RegionField()
    description = forms.CharField(
        label=_("About"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the organization does; shown on its public page."),
    )
    website = forms.URLField(
        label=_("Website"), required=False, assume_scheme="https", max_length=200
    )


class OrganizationDetailsForm(OrganizationForm):
    """Editing an organization: the kind is fixed once it exists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "name@example.com"}),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class ProviderProfileForm(forms.Form):
    headline = forms.CharField(
        label=_("Headline"),
        max_length=120,
        help_text=_("One line on what you do best, e.g. “Machine vision for quality inspection”."),
    )
    bio = forms.CharField(
        label=_("About"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("Your experience, past projects and how you work."),
    )
    day_rate = forms.CharField(
        label=_("Day rate"),
        required=False,
        max_length=20,
        help_text=_("Per day, e.g. 1500 or 1500.50 (yuan for CNY). Leave empty to agree per task."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=CURRENCY_CHOICES, initial=DEFAULT_CURRENCY
    )
    region = RegionField()
    availability = forms.ChoiceField(
        label=_("Availability"), choices=ProviderProfile.Availability.choices
    )
    years_experience = forms.IntegerField(
        label=_("Years of experience"), min_value=0, max_value=70, initial=0
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = (data.get("day_rate") or "").strip()
        if not raw:
            data["day_rate_fen"] = None
            return data
        try:
            amount = Money.parse(raw, data.get("currency") or DEFAULT_CURRENCY)
        except DomainError as exc:
            self.add_error("day_rate", str(exc.message))
            return data
        if amount.amount < 0:
            self.add_error("day_rate", _("The day rate cannot be negative."))
        data["day_rate_fen"] = amount.amount
        return data


class SkillsForm(forms.Form):
    """One level picker per skill of the taxonomy; an empty choice means 'not a skill of mine'."""

    def __init__(self, *args: Any, skills: list[Skill], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("—")), *ProviderSkill.Level.choices]
        self.skill_fields: dict[int, str] = {}
        for skill in skills:
            name = f"skill_{skill.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=skill.name,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                # Named on the control itself too: screen readers in a long list of 88 selects
                # read it without hunting for the label.
                widget=forms.Select(
                    attrs={"aria-label": _("Level in %(skill)s") % {"skill": skill.name}}
                ),
            )
            self.skill_fields[skill.pk] = name

    def selected_levels(self) -> dict[int, int]:
        return {
            skill_id: self.cleaned_data[name]
            for skill_id, name in self.skill_fields.items()
            if self.cleaned_data.get(name)
        }


class UnechoedTextInput(forms.TextInput):
    """A text input that never writes the submitted value back into the page (ID numbers)."""

    def format_value(self, value: Any) -> None:
        return None


class PersonVerificationForm(forms.Form):
    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=80,
        help_text=_("Exactly as on your resident ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=24,
        help_text=_("18 characters. Stored encrypted; only a masked form is ever shown."),
        widget=UnechoedTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    id_front = forms.FileField(
        label=_("ID document, front"),
        help_text=_("A photo or scan of the side with your photo: PDF, PNG or JPEG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    id_back = forms.FileField(
        label=_("ID document, back"),
        help_text=_("The side with the issuing authority and validity: PDF, PNG or JPEG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def clean_id_number(self) -> str:
        return validate_id_number(self.cleaned_data["id_number"])

    def submission(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "legal_name": data["legal_name"],
            "id_number": data["id_number"],
            "documents": {"id_front": data["id_front"], "id_back": data["id_back"]},
        }


class OrganizationVerificationForm(forms.Form):
    legal_name = forms.CharField(
        label=_("Registered name"),
        max_length=120,
        help_text=_("Exactly as on the business licence or the unit's registration certificate."),
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=24,
        help_text=_("18 characters, printed on the business licence."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    licence = forms.FileField(
        label=_("Business licence (营业执照)"),
        help_text=_(
            "A scan or photo of the business licence or the unit's registration certificate: "
            "PDF, PNG or JPEG. Only the reviewers see it."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def clean_credit_code(self) -> str:
        return validate_credit_code(self.cleaned_data["credit_code"])

    def submission(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "legal_name": data["legal_name"],
            "credit_code": data["credit_code"],
            "documents": {"licence": data["licence"]},
        }
