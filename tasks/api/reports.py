"""Reports: anyone signed in reports what they see; moderators work the queue."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import Pagination, paginate, paginated, validated, with_errors
from marketplace.errors import NotFound
from tasks import selectors, services
from tasks.models import Report
from tasks.reports import reportable

TAG = ["reports"]


class IsReportHandler(BasePermission):
    """Staff who handle reports (the services check it again)."""

    message = _("Only moderators can do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff) and user.has_perm(
            "tasks.handle_report"
        )


class ReportCreateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Report.Kind.choices)
    object_id = serializers.IntegerField(min_value=1)
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    details = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    object_id = serializers.IntegerField()
    reason = serializers.CharField()
    details = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()


class ReportQueueItemOutputSerializer(ReportOutputSerializer):
    reporter = serializers.EmailField(source="reporter.email")


class ReportDecideInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[(Report.Status.ACTIONED, "actioned"), (Report.Status.DISMISSED, "dismissed")]
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReportReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


def _report(report_id: int) -> Report:
    report = Report.objects.select_related("reporter").filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("No such report."))
    return report


class ReportCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        request=ReportCreateInputSerializer,
        responses=with_errors({201: ReportOutputSerializer}, 400, 403, 404, 409),
        description="Report a task, question, negotiation message or provider profile you can "
        "see to the moderators, with a reason (details are required for 'other').",
    )
    def post(self, request: Request) -> Response:
        data = validated(ReportCreateInputSerializer, request.data)
        report = services.report_file(reporter=request.user, **data)
        return Response(ReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportQueueApi(APIView):
    permission_classes = [IsReportHandler]
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ReportQueueItemOutputSerializer(many=True)}, 403),
        description="Reports waiting for a moderator, oldest first.",
    )
    def get(self, request: Request) -> Response:
        paginator, page = paginate(view=self, request=request, queryset=selectors.reports_waiting())
        return paginated(paginator, ReportQueueItemOutputSerializer(page, many=True).data)


class ReportDecideApi(APIView):
    permission_classes = [IsReportHandler]

    @extend_schema(
        tags=TAG,
        request=ReportDecideInputSerializer,
        responses=with_errors({200: ReportOutputSerializer}, 400, 403, 404, 409),
        description="Close a waiting report as acted on or dismissed.",
    )
    def post(self, request: Request, report_id: int) -> Response:
        data = validated(ReportDecideInputSerializer, request.data)
        report = services.report_decide(
            moderator=request.user, report=_report(report_id), outcome=data["outcome"],
            note=data["note"],
        )  # fmt: skip
        return Response(ReportOutputSerializer(report).data)


class ReportHideApi(APIView):
    permission_classes = [IsReportHandler]

    @extend_schema(
        tags=TAG,
        request=ReportReasonInputSerializer,
        responses=with_errors({200: ReportOutputSerializer}, 400, 403, 404, 409),
        description="Hide the reported content from everyone but moderators; its waiting "
        "reports are closed as acted on.",
    )
    def post(self, request: Request, report_id: int) -> Response:
        data = validated(ReportReasonInputSerializer, request.data)
        report = services.report_hide_content(
            moderator=request.user, report=_report(report_id), reason=data["reason"]
        )
        return Response(ReportOutputSerializer(report).data)


class ReportSuspendOwnerApi(APIView):
    permission_classes = [IsReportHandler]

    @extend_schema(
        tags=TAG,
        request=ReportReasonInputSerializer,
        responses=with_errors({200: ReportOutputSerializer}, 400, 403, 404, 409),
        description="Suspend the account behind the reported content; its waiting reports are "
        "closed as acted on.",
    )
    def post(self, request: Request, report_id: int) -> Response:
        data = validated(ReportReasonInputSerializer, request.data)
        report = services.report_suspend_owner(
            moderator=request.user, report=_report(report_id), reason=data["reason"]
        )
        return Response(ReportOutputSerializer(report).data)


class ContentOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    object_id = serializers.IntegerField()
    hidden = serializers.BooleanField()
    url = serializers.CharField(help_text="Where the content is shown (a page path).")


def _content(kind: str, obj: Any, hidden: bool) -> dict[str, Any]:
    return {"kind": kind, "object_id": obj.pk, "hidden": hidden, "url": reportable(kind).url(obj)}


KIND_DESCRIPTION = f"One of: {', '.join(sorted(Report.Kind.values))}."


class ContentHideApi(APIView):
    permission_classes = [IsReportHandler]

    @extend_schema(
        tags=TAG,
        request=ReportReasonInputSerializer,
        responses=with_errors({200: ContentOutputSerializer}, 400, 403, 404, 409),
        description="Hide a task (back into review), question, negotiation message or provider "
        "profile with a reason, without a report in hand; its waiting reports are closed as "
        f"acted on. {KIND_DESCRIPTION}",
    )
    def post(self, request: Request, kind: str, object_id: int) -> Response:
        data = validated(ReportReasonInputSerializer, request.data)
        obj, hidden = services.content_hide(
            moderator=request.user, kind=kind, object_id=object_id, reason=data["reason"]
        )
        return Response(ContentOutputSerializer(_content(kind, obj, hidden)).data)


class ContentShowApi(APIView):
    permission_classes = [IsReportHandler]

    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: ContentOutputSerializer}, 403, 404, 409),
        description="Show hidden content again (a flagged task is approved back to open); the "
        f"reason it was hidden stays in the audit log. {KIND_DESCRIPTION}",
    )
    def post(self, request: Request, kind: str, object_id: int) -> Response:
        obj, hidden = services.content_show(moderator=request.user, kind=kind, object_id=object_id)
        return Response(ContentOutputSerializer(_content(kind, obj, hidden)).data)
