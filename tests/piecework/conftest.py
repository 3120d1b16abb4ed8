"""Piece-work tests run their money on the sandbox gateway (the pool pays at once)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _sandbox(settings: Any) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"
