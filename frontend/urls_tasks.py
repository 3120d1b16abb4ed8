"""Pages of the tasks part of the web app (joined into the frontend namespace)."""

from django.urls import URLPattern, path

from frontend.views import (
    bid_review,
    bids,
    me,
    moderation,
    negotiation,
    questions,
    task_posting,
    tasks,
)

urlpatterns: list[URLPattern] = [
    # Tasks: browse, post, my organizations' tasks, the task page and what its poster does.
    path("tasks/", tasks.task_list, name="task_list"),
    path("tasks/new/", task_posting.task_create, name="task_create"),
    path("tasks/new/check/", task_posting.task_form_check, name="task_form_check"),
    path("tasks/mine/", tasks.task_mine, name="task_mine"),
    path("tasks/<int:task_id>/", tasks.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/edit/", task_posting.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/publish/", task_posting.task_publish, name="task_publish"),
    path("tasks/<int:task_id>/cancel/", tasks.task_cancel, name="task_cancel"),
    path("tasks/<int:task_id>/nda/", tasks.task_nda_accept, name="task_nda_accept"),
    path("tasks/<int:task_id>/files/", task_posting.task_attachment_add, name="task_file_add"),
    path(
        "tasks/<int:task_id>/files/<int:attachment_id>/",
        tasks.task_attachment_download,
        name="task_file",
    ),
    path(
        "tasks/<int:task_id>/files/<int:attachment_id>/remove/",
        task_posting.task_attachment_remove,
        name="task_file_remove",
    ),
    path("tasks/<int:task_id>/invitations/", task_posting.task_invite, name="task_invite"),
    # Moderators on the task page, and everyone's reports of what they see.
    path(
        "tasks/<int:task_id>/moderate/<slug:action>/",
        moderation.task_moderate,
        name="task_moderate",
    ),
    path("report/<slug:kind>/<int:object_id>/", moderation.report_create, name="report"),
    # Bidding: the provider's bid on a task, and the poster's comparison and decisions.
    path("tasks/<int:task_id>/bid/", bids.bid_form, name="task_bid"),
    path("tasks/<int:task_id>/bid/withdraw/", bids.bid_withdraw, name="bid_withdraw"),
    path("tasks/<int:task_id>/bids/", bid_review.task_bids, name="task_bids"),
    path("bids/", bids.my_bids, name="my_bids"),
    path("bids/<int:bid_id>/shortlist/", bid_review.bid_shortlist, name="bid_shortlist"),
    path("bids/<int:bid_id>/reject/", bid_review.bid_reject, name="bid_reject"),
    path("bids/<int:bid_id>/award/", bid_review.bid_award, name="bid_award"),
    # Questions on a task, and their answers.
    path("tasks/<int:task_id>/questions/", questions.question_ask, name="question_ask"),
    path("tasks/<int:task_id>/clarify/", questions.question_clarify, name="question_clarify"),
    path("questions/<int:question_id>/answer/", questions.question_answer, name="question_answer"),
    path("questions/<int:question_id>/hide/", questions.question_hide, name="question_hide"),
    path("questions/<int:question_id>/show/", questions.question_show, name="question_show"),
    # Negotiation: the room of a bid, its messages, files and offers; the inbox.
    path("bids/<int:bid_id>/negotiation/", negotiation.negotiation, name="negotiation"),
    path(
        "bids/<int:bid_id>/negotiation/open/", negotiation.negotiation_open, name="negotiation_open"
    ),
    path(
        "negotiations/<int:thread_id>/messages/",
        negotiation.negotiation_message,
        name="negotiation_message",
    ),
    path(
        "negotiations/<int:thread_id>/offers/",
        negotiation.negotiation_offer,
        name="negotiation_offer",
    ),
    path(
        "offers/<int:offer_id>/accept/",
        negotiation.offer_answer,
        {"answer": "accept"},
        name="offer_accept",
    ),
    path(
        "offers/<int:offer_id>/decline/",
        negotiation.offer_answer,
        {"answer": "decline"},
        name="offer_decline",
    ),
    path(
        "negotiation-files/<int:message_id>/",
        negotiation.negotiation_file,
        name="negotiation_file",
    ),
    path("messages/", negotiation.inbox, name="inbox"),
    # The header's language switch (saves the choice to the account, then Django's set_language).
    path("language/", me.set_language, name="set_language"),
]
