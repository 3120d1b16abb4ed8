"""A task's files: list, upload, remove, download. Uploads are checked by content, not name."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import (
    AnyAcceptNegotiation,
    Pagination,
    form_data,
    paginated_response,
    validated,
    with_errors,
)
from marketplace.files import file_download
from tasks import selectors, services
from tasks.api.serializers import AttachmentOutputSerializer

TAG = ["task attachments"]


class AttachmentUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A document, image, archive or drawing; its content must match its name."
    )
    confidential = serializers.BooleanField(
        default=True, help_text="Behind the NDA: shown only to those who may read the details."
    )


class TaskAttachmentCollectionApi(APIView):
    pagination_class = Pagination
    """GET lists the files the viewer may see; POST attaches a file (poster's members)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: AttachmentOutputSerializer(many=True)}, 404),
        description="Confidential files only for those who may read the task's details.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        attachments = selectors.task_attachments_for_user(user=request.user, task=task)
        return paginated_response(
            serializer_class=AttachmentOutputSerializer,
            queryset=attachments,
            request=request,
            view=self,
        )

    @extend_schema(
        tags=TAG,
        request={"multipart/form-data": AttachmentUploadInputSerializer},
        responses=with_errors({201: AttachmentOutputSerializer}, 400, 403, 404),
        description="Attach a file to a task that is not yet awarded (size limit in "
        "MARKETPLACE.ATTACHMENT_MAX_BYTES; executables and disguised files are refused).",
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        # As a plain dict: read from the QueryDict, a missing `confidential` would be False.
        data = validated(AttachmentUploadInputSerializer, form_data(request))
        attachment = services.task_attachment_add(
            actor=request.user, task=task, upload=data["file"], confidential=data["confidential"]
        )
        return Response(AttachmentOutputSerializer(attachment).data, status=status.HTTP_201_CREATED)


class TaskAttachmentDeleteApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({204: None}, 403, 404),
        description="Remove a file from a task that is not yet open for bids.",
    )
    def delete(self, request: Request, attachment_id: int) -> Response:
        attachment = selectors.task_attachment_get_for_user(
            user=request.user, attachment_id=attachment_id
        )
        services.task_attachment_remove(actor=request.user, attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskAttachmentDownloadApi(APIView):
    permission_classes = [AllowAny]
    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        tags=TAG,
        responses=with_errors(
            {
                (200, "*/*"): OpenApiResponse(
                    OpenApiTypes.BINARY,
                    description="The file, as an attachment under its original name, with "
                    "the content type detected from its content.",
                )
            },
            404,
        ),
        description="Download a file; confidential ones only for those who may read the "
        "task's details.",
    )
    def get(self, request: Request, attachment_id: int) -> FileResponse:
        attachment = selectors.task_attachment_get_for_user(
            user=request.user, attachment_id=attachment_id
        )
        return file_download(
            stored=attachment.file,
            name=attachment.original_name,
            content_type=attachment.content_type,
        )
