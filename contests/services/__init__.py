"""Every state change of contests goes through these functions."""

from contests.services.participation import contest_register, contest_submission_create
from contests.services.posting import (
    contest_cancel,
    contest_create,
    contest_fund_start,
    contest_funding_arrived,
    contest_submit,
    contest_terms_problems,
)
from contests.services.publicity import (
    contest_close_submissions,
    contest_pay,
    contest_review_over,
    contests_advance_due,
    objection_decide,
    objection_file,
)
from contests.services.review import (
    contest_reviewer_accept,
    contest_reviewer_add,
    contest_winners_confirm,
    scorecard_submit,
)

__all__ = [
    "contest_cancel",
    "contest_close_submissions",
    "contest_create",
    "contest_fund_start",
    "contest_funding_arrived",
    "contest_pay",
    "contest_register",
    "contest_review_over",
    "contest_reviewer_accept",
    "contest_reviewer_add",
    "contest_submission_create",
    "contest_submit",
    "contest_terms_problems",
    "contest_winners_confirm",
    "contests_advance_due",
    "objection_decide",
    "objection_file",
    "scorecard_submit",
]
