"""Disputes tests move money on the sandbox gateway."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _sandbox(settings: Any) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"
