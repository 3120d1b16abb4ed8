"""Innovation vouchers in the API: an organization's vouchers, issuing (finance staff), the
programmes with their report and the claims CSV."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from marketplace.api import (
    AnyAcceptNegotiation,
    Pagination,
    paginate,
    paginated,
    validated,
    with_errors,
)
from marketplace.errors import ValidationFailed
from payments.services.vouchers import MAX_ISSUE, voucher_issue
from payments.voucher_selectors import (
    ProgrammeReport,
    VoucherState,
    VoucherView,
    organization_for_vouchers,
    programme_claims_csv,
    programme_csv_filename,
    programme_get_for_user,
    programme_report,
    programmes_visible_to,
    voucher_views,
    vouchers_for_organization,
)

TAG = ["vouchers"]


class ProgrammeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    issuer = serializers.CharField(source="issuer.name")
    issuer_id = serializers.IntegerField()
    budget = serializers.IntegerField(help_text="In minor units (fen).")
    face_value = serializers.IntegerField(help_text="Each voucher's value, in fen.")
    issued_total = serializers.IntegerField(help_text="Face values issued so far, in fen.")
    currency = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    eligible_kinds = serializers.ListField(
        child=serializers.CharField(), help_text="Task kinds a voucher may pay for."
    )
    max_share_bps = serializers.IntegerField(
        help_text="The largest share of a funding a voucher pays, in basis points (5000 = 50%)."
    )


class VoucherOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="voucher.pk")
    code = serializers.CharField(source="voucher.code")
    organization_id = serializers.IntegerField(source="voucher.organization_id")
    programme = ProgrammeOutputSerializer(source="voucher.programme")
    face_value = serializers.IntegerField(source="voucher.face_value", help_text="In fen.")
    remaining = serializers.SerializerMethodField(help_text="What it can still pay, in fen.")
    reserved = serializers.SerializerMethodField(
        help_text="Held for a card payment still pending, in fen."
    )
    currency = serializers.CharField(source="voucher.currency")
    valid_from = serializers.DateField(source="voucher.valid_from")
    valid_until = serializers.DateField(source="voucher.valid_until")
    status = serializers.ChoiceField(
        choices=VoucherState.choices,
        help_text="Only an active voucher can be applied to a funding.",
    )

    def get_remaining(self, view: VoucherView) -> int:
        return 0 if view.status == "expired" else view.remaining.amount

    def get_reserved(self, view: VoucherView) -> int:
        return view.reserved.amount


class OrganizationVoucherListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: VoucherOutputSerializer(many=True)}, 404),
        description="The organization's innovation vouchers (创新券) with what is left on each "
        "and until when; for its owners and admins (and finance staff).",
    )
    def get(self, request: Request, organization_id: int) -> Response:
        organization = organization_for_vouchers(user=request.user, organization_id=organization_id)
        views = vouchers_for_organization(user=request.user, organization=organization)
        paginator, page = paginate(view=self, request=request, queryset=views)
        return paginated(paginator, VoucherOutputSerializer(page, many=True).data)


class VoucherIssueInputSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField(help_text="The enterprise or micro-firm.")
    count = serializers.IntegerField(
        min_value=1, max_value=MAX_ISSUE, default=1, help_text="How many vouchers to issue."
    )


class VoucherIssueApi(APIView):
    @extend_schema(
        tags=TAG,
        request=VoucherIssueInputSerializer,
        responses=with_errors({201: VoucherOutputSerializer(many=True)}, 400, 403, 404, 409),
        description="Finance staff issue vouchers of the programme's face value to an "
        "organization. The budget is never over-issued (409 over_budget).",
    )
    def post(self, request: Request, programme_id: int) -> Response:
        programme = programme_get_for_user(user=request.user, programme_id=programme_id)
        data = validated(VoucherIssueInputSerializer, request.data)
        organization = Organization.objects.filter(pk=data["organization_id"]).first()
        if organization is None:
            raise ValidationFailed(
                _("Organization not found."),
                fields={"organization_id": [_("No organization has this id.")]},
            )
        vouchers = voucher_issue(
            actor=request.user, programme=programme, organization=organization, count=data["count"]
        )
        return Response(
            VoucherOutputSerializer(voucher_views(vouchers), many=True).data,
            status=status.HTTP_201_CREATED,
        )


class ProgrammeListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ProgrammeOutputSerializer(many=True)}, 403),
        description="Voucher programmes you may read: all of them for finance staff, your "
        "government unit's for its owners and admins.",
    )
    def get(self, request: Request) -> Response:
        paginator, page = paginate(
            view=self, request=request, queryset=programmes_visible_to(user=request.user)
        )
        return paginated(paginator, ProgrammeOutputSerializer(page, many=True).data)


class HolderOutputSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField(source="organization.pk")
    organization = serializers.CharField(source="organization.name")
    vouchers = serializers.IntegerField(source="count")
    issued = serializers.SerializerMethodField()
    remaining = serializers.SerializerMethodField()

    def get_issued(self, row: Any) -> int:
        return int(row.issued.amount)

    def get_remaining(self, row: Any) -> int:
        return int(row.remaining.amount)


class ProgrammeReportOutputSerializer(serializers.Serializer):
    programme = ProgrammeOutputSerializer()
    vouchers_issued = serializers.IntegerField()
    issued = serializers.SerializerMethodField(help_text="Face values issued, in fen.")
    unissued = serializers.SerializerMethodField(
        help_text="In the programme's account: not issued, or returned to it, in fen."
    )
    outstanding = serializers.SerializerMethodField(help_text="Left on vouchers, in fen.")
    spent = serializers.SerializerMethodField(help_text="Paid into escrows, in fen.")
    held = serializers.SerializerMethodField(help_text="Of that, still held in escrow.")
    claimed = serializers.SerializerMethodField(help_text="Released: claims on the programme.")
    returned_to_vouchers = serializers.SerializerMethodField()
    returned_to_programme = serializers.SerializerMethodField(
        help_text="Refunds of vouchers that had expired, in fen."
    )
    expired_returned = serializers.SerializerMethodField(
        help_text="Unspent value of expired vouchers, back in the programme, in fen."
    )
    claims = serializers.IntegerField(help_text="How many claims.")
    balanced = serializers.BooleanField(
        help_text="programme + vouchers + held in escrow + claims = budget."
    )
    holders = HolderOutputSerializer(many=True)

    def _fen(self, report: ProgrammeReport, name: str) -> int:
        return int(getattr(report, name).amount)

    def get_issued(self, r: ProgrammeReport) -> int:
        return self._fen(r, "issued")

    def get_unissued(self, r: ProgrammeReport) -> int:
        return self._fen(r, "unissued")

    def get_outstanding(self, r: ProgrammeReport) -> int:
        return self._fen(r, "outstanding")

    def get_spent(self, r: ProgrammeReport) -> int:
        return self._fen(r, "spent")

    def get_held(self, r: ProgrammeReport) -> int:
        return self._fen(r, "held")

    def get_claimed(self, r: ProgrammeReport) -> int:
        return self._fen(r, "claimed")

    def get_returned_to_vouchers(self, r: ProgrammeReport) -> int:
        return self._fen(r, "returned_to_vouchers")

    def get_returned_to_programme(self, r: ProgrammeReport) -> int:
        return self._fen(r, "returned_to_programme")

    def get_expired_returned(self, r: ProgrammeReport) -> int:
        return self._fen(r, "expired_returned")


class ProgrammeReportApi(APIView):
    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ProgrammeReportOutputSerializer}, 404),
        description="A programme's report: vouchers issued, spent, claimed and returned, per "
        "holder; for the issuer's owners and admins and finance staff.",
    )
    def get(self, request: Request, programme_id: int) -> Response:
        programme = programme_get_for_user(user=request.user, programme_id=programme_id)
        return Response(ProgrammeReportOutputSerializer(programme_report(programme=programme)).data)


class ProgrammeClaimsCsvApi(APIView):
    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        tags=TAG,
        responses=with_errors(
            {
                (200, "text/csv"): OpenApiResponse(
                    OpenApiTypes.STR,
                    description="One row per claim: the contract, the milestone, the delivery "
                    "(file names and SHA-256) and the acceptance (who, when, auto or not).",
                )
            },
            404,
        ),
        description="The programme's claims as CSV (UTF-8 with a byte-order mark).",
    )
    def get(self, request: Request, programme_id: int) -> HttpResponse:
        programme = programme_get_for_user(user=request.user, programme_id=programme_id)
        response = HttpResponse(
            programme_claims_csv(programme=programme), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{programme_csv_filename(programme)}"'
        )
        return response
