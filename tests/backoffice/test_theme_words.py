"""The back-office theme's own words speak zh-Hans too (marketplace/admin_strings.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.backoffice.test_hiding import moderator_user
from tests.page_helpers import html, signed_in

pytestmark = pytest.mark.django_db


def test_the_search_box_and_the_filter_panel_are_in_chinese() -> None:
    page = html(
        signed_in(moderator_user(), language="zh-hans").get(
            reverse("admin:tasks_report_changelist")
        )
    )
    assert "输入以搜索" in page
    assert "Type to search" not in page
    assert "Apply Filters" not in page
