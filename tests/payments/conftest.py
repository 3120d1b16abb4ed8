"""Payments tests run their flows on the sandbox gateway unless a test asks for Stripe."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _sandbox(settings: Any) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"
