from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.selectors import black_list_entry_for, notifications_unread_count


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": "众包",
        "PAYMENTS_SANDBOX": settings.PAYMENTS_GATEWAY == "sandbox",
        # A callable, so it is queried only if a template shows it, and at most once a request.
        "unread_notifications": functools.cache(
            lambda: notifications_unread_count(user=user) if user is not None else 0
        ),
        # The black-listed see no "Post a task" (services refuse it too).
        "posting_barred": functools.cache(
            lambda: user is not None and black_list_entry_for(user=user) is not None
        ),
    }
