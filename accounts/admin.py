"""The back office for people and organizations.

Staff change state only through the services: suspension and verification decisions are admin
actions that call them, and the rows those services own are read-only here. The skills
taxonomy is reference data and stays editable.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.decorators import action
from unfold.enums import ActionVariant
from unfold.forms import AdminPasswordChangeForm

from accounts import selectors, services
from accounts.models import (
    EvidenceView,
    Invitation,
    Membership,
    Notification,
    Organization,
    PortfolioEntry,
    ProviderProfile,
    ProviderSkill,
    Skill,
    SkillCategory,
    User,
    VerificationEvidence,
    VerificationRequest,
)
from accounts.regions import region_name
from accounts.services import verification
from marketplace.admin import (
    ModelAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    ReasonForm,
    TabularInline,
    detail_action_view,
    reason_action,
    run_service_on_each,
    waiting_first_filter,
)
from marketplace.errors import DomainError, NotAllowed
from marketplace.files import file_inline_private

# --- Users ----------------------------------------------------------------------------------------


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")
        field_classes: dict[str, type] = {}

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with this email address already exists."))
        return email

    def clean_username(self) -> str:  # the model has no username
        return ""


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict[str, type] = {}

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A user with this email address already exists."))
        return email


class SuspendedFilter(admin.SimpleListFilter):
    title = _("suspended")
    parameter_name = "suspended"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> Any:
        return [("yes", _("Suspended")), ("no", _("Not suspended"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(suspended_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(suspended_at__isnull=True)
        return queryset


class RealNameVerifiedFilter(admin.SimpleListFilter):
    title = _("real name verified")
    parameter_name = "verified"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> Any:
        return [("yes", _("Verified")), ("no", _("Not verified"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(real_name_verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(real_name_verified_at__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin, ModelAdmin):
    change_password_form = AdminPasswordChangeForm
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("-date_joined",)
    list_display = (
        "email",
        "name",
        "is_verified_column",
        "is_suspended_column",
        "language",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_filter = (
        SuspendedFilter,
        RealNameVerifiedFilter,
        "is_staff",
        "is_superuser",
        "is_active",
        "language",
    )
    search_fields = ("email", "name", "verified_real_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "language")}),
        (_("Real-name verification"), {"fields": ("real_name_verified_at", "verified_real_name")}),
        (_("Suspension"), {"fields": ("suspended_at", "suspension_reason")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )
    # Verification and suspension change only through their services (the actions below).
    readonly_fields = (
        "real_name_verified_at",
        "verified_real_name",
        "suspended_at",
        "suspension_reason",
        "last_login",
        "date_joined",
    )
    actions = ["suspend_users", "unsuspend_users"]

    def has_suspend_permission(self, request: HttpRequest) -> bool:
        return any(request.user.has_perm(perm) for perm in services.SUSPEND_PERMISSIONS)

    @admin.display(boolean=True, description=_("real name"), ordering="real_name_verified_at")
    def is_verified_column(self, user: User) -> bool:
        return user.is_real_name_verified

    @admin.display(boolean=True, description=_("suspended"), ordering="suspended_at")
    def is_suspended_column(self, user: User) -> bool:
        return user.is_suspended

    @admin.action(description=_("Suspend the selected users"), permissions=["suspend"])
    def suspend_users(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        return reason_action(
            self,
            request,
            queryset,
            action="suspend_users",
            title=str(_("Suspend users")),
            call=lambda user, reason: services.user_suspend(
                actor=request.user, user=user, reason=reason
            ),
            done=lambda n: (
                ngettext("%(n)d user suspended.", "%(n)d users suspended.", n) % {"n": n}
            ),
        )

    @admin.action(
        description=_("Lift the suspension of the selected users"), permissions=["suspend"]
    )
    def unsuspend_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda user: services.user_unsuspend(actor=request.user, user=user),
            lambda n: (
                ngettext(
                    "%(n)d user may use the site again.", "%(n)d users may use the site again.", n
                )
                % {"n": n}
            ),
        )


# --- Organizations --------------------------------------------------------------------------------


class MembershipInline(ReadOnlyInlineMixin, TabularInline):
    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = fields


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = (
        "name",
        "slug",
        "kind",
        "region_column",
        "is_verified_column",
        "credit_code",
        "created_at",
    )
    list_filter = ("kind", ("verified_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "slug", "credit_code")
    date_hierarchy = "created_at"
    inlines = [MembershipInline]
    readonly_fields = (
        "name",
        "slug",
        "kind",
        "region",
        "description",
        "website",
        "credit_code",
        "verified_at",
        "created_by",
        "created_at",
    )

    readonly_preprocess_fields = {"region": region_name}

    @admin.display(description=_("region"), ordering="region")
    def region_column(self, organization: Organization) -> str:
        return region_name(organization.region) or "-"

    @admin.display(boolean=True, description=_("verified"), ordering="verified_at")
    def is_verified_column(self, organization: Organization) -> bool:
        return organization.is_verified


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__name", "organization__name")
    list_select_related = ("user", "organization")
    readonly_fields = ("user", "organization", "role", "created_at")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("email", "organization", "role", "status_column", "created_at", "expires_at")
    list_filter = ("role", ("accepted_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "organization__name")
    list_select_related = ("organization",)
    # The token is the invitee's secret: not shown.
    fields = (
        "organization",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "emailed_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
    readonly_fields = fields
    actions = ["revoke_invitations"]

    @admin.display(description=_("status"))
    def status_column(self, invitation: Invitation) -> str:
        if invitation.accepted_at:
            return str(_("accepted"))
        if invitation.revoked_at:
            return str(_("withdrawn"))
        return str(_("pending")) if invitation.is_pending else str(_("expired"))

    @admin.action(description=_("Withdraw the selected invitations"), permissions=["change"])
    def revoke_invitations(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda invitation: services.invitation_revoke(
                actor=request.user, invitation=invitation
            ),
            lambda n: (
                ngettext("%(n)d invitation withdrawn.", "%(n)d invitations withdrawn.", n)
                % {"n": n}
            ),
        )


# --- Skills (reference data) ----------------------------------------------------------------------


class SkillInline(TabularInline):
    model = Skill
    fields = ("slug", "name_zh", "name_en", "position")
    extra = 0


@admin.register(SkillCategory)
class SkillCategoryAdmin(ModelAdmin):
    list_display = ("slug", "name_zh", "name_en", "position")
    list_editable = ("position",)
    search_fields = ("slug", "name_zh", "name_en")
    inlines = [SkillInline]


@admin.register(Skill)
class SkillAdmin(ModelAdmin):
    list_display = ("slug", "name_zh", "name_en", "category", "position")
    list_filter = ("category",)
    search_fields = ("slug", "name_zh", "name_en")
    list_select_related = ("category",)


# --- Provider profiles ----------------------------------------------------------------------------


class ProviderSkillInline(ReadOnlyInlineMixin, TabularInline):
    model = ProviderSkill
    fields = ("skill", "level")
    readonly_fields = fields
    show_change_link = False


class PortfolioEntryInline(ReadOnlyInlineMixin, TabularInline):
    model = PortfolioEntry
    fields = ("position", "title", "year", "client", "updated_at")
    readonly_fields = fields
    show_change_link = False


@admin.register(ProviderProfile)
class ProviderProfileAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = (
        "display_name",
        "headline",
        "is_firm",
        "availability",
        "region_column",
        "updated_at",
    )
    readonly_preprocess_fields = {"region": region_name}
    list_filter = (
        "availability",
        ("organization", admin.EmptyFieldListFilter),
        ("hidden_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("headline", "user__email", "user__name", "organization__name")
    list_select_related = ("user", "organization")
    inlines = [ProviderSkillInline, PortfolioEntryInline]
    readonly_fields = (
        "user",
        "organization",
        "headline",
        "bio",
        "day_rate",
        "currency",
        "region",
        "availability",
        "years_experience",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
        "created_at",
        "updated_at",
    )
    actions_detail = ("hide_detail", "show_detail")

    @admin.display(description=_("region"), ordering="region")
    def region_column(self, profile: ProviderProfile) -> str:
        return region_name(profile.region) or "-"

    def _hidden(self, object_id: Any) -> bool | None:
        return (
            ProviderProfile.objects.filter(pk=object_id).values_list("hidden_at", flat=True).first()
            is not None
        )

    def has_hide_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        """Hide: moderators, on a shown profile (unfold asks for the detail page's buttons)."""
        if not selectors.user_can_hide_profiles(request.user):
            return False
        return object_id is None or not self._hidden(object_id)

    def has_show_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        if not selectors.user_can_hide_profiles(request.user):
            return False
        return object_id is None or bool(self._hidden(object_id))

    @action(
        description=_("Hide the profile…"), url_path="hide", permissions=["hide"],
        variant=ActionVariant.DANGER,
    )  # fmt: skip
    def hide_detail(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Hide this provider profile")),
            description=str(
                _(
                    "It leaves the directory, search and recommendations, its page is gone for "
                    "others and it cannot bid. Its owner sees the reason and how to appeal."
                )
            ),
            call=lambda profile, reason: services.provider_profile_hide(
                moderator=request.user, profile=profile, reason=reason
            ),
            done=str(_("The profile is hidden.")),
        )

    @action(description=_("Show the profile again"), url_path="show", permissions=["show"])
    def show_detail(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return detail_action_view(
            self,
            request,
            object_id,
            title=str(_("Show this provider profile again")),
            call=lambda profile: services.provider_profile_show(
                moderator=request.user, profile=profile
            ),
            done=str(_("The profile is shown again.")),
            needs_reason=False,
        )


# --- Real-name verification -----------------------------------------------------------------------


@admin.register(VerificationRequest)
class VerificationRequestAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """The review queue. Only the masked ID number is ever shown; decisions go through the
    services, from the request's own page (approve, reject with a reason) or in bulk. The
    evidence is shown inline on the request's page to verifiers, each view logged."""

    # Five columns fit a 1280 px screen beside the filters; the numbers are on the request's page.
    list_display = ("legal_name", "subject", "applicant_column", "status", "submitted_at")
    list_filter = (
        waiting_first_filter(
            field="status",
            waiting=VerificationRequest.Status.PENDING,
            choices=list(VerificationRequest.Status.choices),
        ),
        "subject",
    )
    search_fields = ("legal_name", "submitted_by__email", "organization__name", "credit_code")
    list_select_related = ("submitted_by", "organization", "reviewed_by")
    ordering = ("submitted_at", "id")  # the queue is worked oldest first
    # Listed explicitly so the encrypted number and its digest never appear.
    fields = (
        "subject",
        "status",
        "submitted_by",
        "organization",
        "legal_name",
        "id_number_masked",
        "credit_code",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "decision_note",
    )
    readonly_fields = fields
    actions = ["approve_requests", "reject_requests"]
    actions_detail = ["approve_detail", "reject_detail"]
    change_form_after_template = "admin/accounts/verificationrequest/evidence.html"

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/evidence/<int:evidence_id>/",
                self.admin_site.admin_view(self.evidence_file),
                name="accounts_verificationrequest_evidence",
            ),
            *super().get_urls(),
        ]

    def has_review_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Approve and reject (unfold asks this for the detail page's buttons)."""
        return bool(request.user.has_perm(verification.REVIEW_PERMISSION))

    def get_actions_detail(self, request: HttpRequest, object_id: Any) -> list[Any]:
        """Approve and reject only while the request waits for a decision."""
        pending = VerificationRequest.objects.filter(
            pk=object_id, status=VerificationRequest.Status.PENDING
        ).exists()
        return super().get_actions_detail(request, object_id) if pending else []

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), **self._evidence_context(request, object_id)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _evidence_context(self, request: HttpRequest, object_id: Any) -> dict[str, Any]:
        may_view = verification.user_may_view_evidence(request.user)
        items = (
            VerificationEvidence.objects.filter(request_id=object_id)
            .annotate(view_count=Count("views"))
            .order_by("kind")
        )
        return {"evidence_allowed": may_view, "evidence_items": list(items) if may_view else []}

    def evidence_file(self, request: HttpRequest, object_id: str, evidence_id: int) -> Any:
        """One document, to a verifier only; every view is logged (EvidenceView)."""
        evidence = get_object_or_404(
            VerificationEvidence.objects.select_related("request"),
            pk=evidence_id,
            request_id=object_id,
        )
        try:
            services.evidence_view_record(
                viewer=request.user, evidence=evidence, address=request.META.get("REMOTE_ADDR")
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        return file_inline_private(
            stored=evidence.file, name=evidence.original_name, content_type=evidence.content_type
        )

    def _decision_page(
        self,
        request: HttpRequest,
        verification_request: VerificationRequest,
        *,
        title: str,
        form: forms.Form | None,
        submit: str,
    ) -> HttpResponse:
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "submit": submit,
            "object": verification_request,
            "opts": opts,
            "app_label": opts.app_label,
            **self._evidence_context(request, verification_request.pk),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/accounts/verificationrequest/decide.html", context)

    def _decided(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return redirect(reverse("admin:accounts_verificationrequest_change", args=[object_id]))

    @action(
        description=_("Approve"),
        url_path="approve",
        permissions=["review"],
        variant=ActionVariant.PRIMARY,
    )
    def approve_detail(self, request: HttpRequest, object_id: str) -> HttpResponse:
        verification_request = get_object_or_404(VerificationRequest, pk=object_id)
        if request.method == "POST":
            try:
                services.verification_approve(reviewer=request.user, request=verification_request)
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
            else:
                self.message_user(request, _("The request is approved."), messages.SUCCESS)
            return self._decided(request, object_id)
        return self._decision_page(
            request,
            verification_request,
            title=str(_("Approve this verification request")),
            form=None,
            submit=str(_("Approve")),
        )

    @action(
        description=_("Reject with a reason…"),
        url_path="reject",
        permissions=["review"],
        variant=ActionVariant.DANGER,
    )
    def reject_detail(self, request: HttpRequest, object_id: str) -> HttpResponse:
        verification_request = get_object_or_404(VerificationRequest, pk=object_id)
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.verification_reject(
                    reviewer=request.user,
                    request=verification_request,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
            else:
                self.message_user(request, _("The request is rejected."), messages.SUCCESS)
            return self._decided(request, object_id)
        return self._decision_page(
            request,
            verification_request,
            title=str(_("Reject this verification request")),
            form=form,
            submit=str(_("Reject")),
        )

    @admin.display(description=_("applicant"), ordering="submitted_by__email")
    def applicant_column(self, verification: VerificationRequest) -> str:
        who = verification.submitted_by.email
        if verification.organization_id:
            return f"{verification.organization} ({who})"
        return who

    @admin.action(description=_("Approve the selected requests"), permissions=["change"])
    def approve_requests(
        self, request: HttpRequest, queryset: QuerySet[VerificationRequest]
    ) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda verification: services.verification_approve(
                reviewer=request.user, request=verification
            ),
            lambda n: ngettext("%(n)d request approved.", "%(n)d requests approved.", n) % {"n": n},
        )

    @admin.action(description=_("Reject the selected requests…"), permissions=["change"])
    def reject_requests(
        self, request: HttpRequest, queryset: QuerySet[VerificationRequest]
    ) -> HttpResponse | None:
        return reason_action(
            self,
            request,
            queryset,
            action="reject_requests",
            title=str(_("Reject verification requests")),
            call=lambda verification, reason: services.verification_reject(
                reviewer=request.user, request=verification, reason=reason
            ),
            done=lambda n: (
                ngettext("%(n)d request rejected.", "%(n)d requests rejected.", n) % {"n": n}
            ),
        )


@admin.register(EvidenceView)
class EvidenceViewAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """Who looked at which verification document, and when (written by the evidence view)."""

    list_display = ("viewed_at", "viewer", "evidence", "request_column", "address")
    list_filter = (("viewed_at", admin.DateFieldListFilter),)
    search_fields = ("viewer__email", "evidence__original_name", "evidence__request__legal_name")
    list_select_related = ("viewer", "evidence__request")
    date_hierarchy = "viewed_at"
    fields = ("viewed_at", "viewer", "evidence", "address")
    readonly_fields = fields
    actions: list[str] = []

    @admin.display(description=_("request"))
    def request_column(self, view: EvidenceView) -> str:
        return str(view.evidence.request)


# --- Notifications --------------------------------------------------------------------------------


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("title", "recipient", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "recipient__email")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    fields = (
        "recipient",
        "kind",
        "title",
        "body",
        "url",
        "dedupe_key",
        "created_at",
        "read_at",
        "emailed_at",
    )
    readonly_fields = fields
    actions: list[str] = []


# Staff roles are groups: re-registered so that they wear the back office's theme too.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin, ModelAdmin):  # type: ignore[misc]
    pass


from accounts import admin_credit  # noqa: E402,F401  (the red/black list's back office)
