"""Every state change of piece-work goes through these functions."""

from piecework.services.posting import (
    piecework_cancel,
    piecework_create,
    piecework_fund_start,
    piecework_funding_arrived,
    piecework_submit,
    piecework_terms_problems,
)
from piecework.services.review import (
    piecework_advance_due,
    piecework_close,
    unit_accept,
    unit_auto_accept,
    unit_reject,
)
from piecework.services.work import piecework_claim, piecework_deliver

__all__ = [
    "piecework_advance_due",
    "piecework_cancel",
    "piecework_claim",
    "piecework_close",
    "piecework_create",
    "piecework_deliver",
    "piecework_fund_start",
    "piecework_funding_arrived",
    "piecework_submit",
    "piecework_terms_problems",
    "unit_accept",
    "unit_auto_accept",
    "unit_reject",
]
