from django.urls import path

from tasks.api import attachments, favourites, moderation, posting, questions, reports

app_name = "tasks-api"

urlpatterns = [
    # Tasks
    path("tasks/", posting.TaskCollectionApi.as_view(), name="task-collection"),
    path("tasks/mine/", posting.TaskMineListApi.as_view(), name="task-mine"),
    path("tasks/<int:task_id>/", posting.TaskDetailApi.as_view(), name="task-detail"),
    path("tasks/<int:task_id>/submit/", posting.TaskSubmitApi.as_view(), name="task-submit"),
    path("tasks/<int:task_id>/cancel/", posting.TaskCancelApi.as_view(), name="task-cancel"),
    path("tasks/<int:task_id>/nda/", posting.TaskNdaAcceptApi.as_view(), name="task-nda"),
    path(
        "tasks/<int:task_id>/invitations/",
        posting.TaskInvitationCreateApi.as_view(),
        name="task-invitations",
    ),
    # Favourites, and inviting from a provider's profile
    path("favourites/tasks/", favourites.TaskFavouriteListApi.as_view(), name="favourite-tasks"),
    path(
        "tasks/<int:task_id>/favourite/",
        favourites.TaskFavouriteApi.as_view(),
        name="task-favourite",
    ),
    path(
        "provider-profiles/<int:profile_id>/invitations/",
        favourites.ProviderInvitableTasksApi.as_view(),
        name="provider-invitations",
    ),
    # Questions and answers
    path(
        "tasks/<int:task_id>/questions/",
        questions.TaskQuestionCollectionApi.as_view(),
        name="task-questions",
    ),
    path(
        "tasks/<int:task_id>/clarifications/",
        questions.TaskClarificationApi.as_view(),
        name="task-clarifications",
    ),
    path(
        "questions/<int:question_id>/answer/",
        questions.QuestionAnswerApi.as_view(),
        name="question-answer",
    ),
    path(
        "questions/<int:question_id>/hide/",
        questions.QuestionHideApi.as_view(),
        name="question-hide",
    ),
    path(
        "questions/<int:question_id>/show/",
        questions.QuestionShowApi.as_view(),
        name="question-show",
    ),
    # Attachments
    path(
        "tasks/<int:task_id>/attachments/",
        attachments.TaskAttachmentCollectionApi.as_view(),
        name="task-attachments",
    ),
    path(
        "attachments/<int:attachment_id>/",
        attachments.TaskAttachmentDeleteApi.as_view(),
        name="attachment-detail",
    ),
    path(
        "attachments/<int:attachment_id>/download/",
        attachments.TaskAttachmentDownloadApi.as_view(),
        name="attachment-download",
    ),
    # Moderation
    path(
        "moderation/tasks/",
        moderation.ModerationTaskListApi.as_view(),
        name="moderation-task-list",
    ),
    path(
        "moderation/tasks/<int:task_id>/approve/",
        moderation.ModerationApproveApi.as_view(),
        name="moderation-approve",
    ),
    path(
        "moderation/tasks/<int:task_id>/send-back/",
        moderation.ModerationSendBackApi.as_view(),
        name="moderation-send-back",
    ),
    path(
        "moderation/tasks/<int:task_id>/flag/",
        moderation.ModerationFlagApi.as_view(),
        name="moderation-flag",
    ),
    # Reports
    path("reports/", reports.ReportCreateApi.as_view(), name="report-create"),
    path("moderation/reports/", reports.ReportQueueApi.as_view(), name="moderation-report-list"),
    path(
        "moderation/reports/<int:report_id>/decide/",
        reports.ReportDecideApi.as_view(),
        name="moderation-report-decide",
    ),
    path(
        "moderation/reports/<int:report_id>/hide/",
        reports.ReportHideApi.as_view(),
        name="moderation-report-hide",
    ),
    path(
        "moderation/reports/<int:report_id>/suspend-owner/",
        reports.ReportSuspendOwnerApi.as_view(),
        name="moderation-report-suspend-owner",
    ),
    path(
        "moderation/content/<slug:kind>/<int:object_id>/hide/",
        reports.ContentHideApi.as_view(),
        name="moderation-content-hide",
    ),
    path(
        "moderation/content/<slug:kind>/<int:object_id>/show/",
        reports.ContentShowApi.as_view(),
        name="moderation-content-show",
    ),
]
