"""schemathesis drives every operation of the live ASGI app (marketplace.asgi.application, in
process, on PostgreSQL with the demo data) and holds each answer to the OpenAPI schema.

Checks: no server error, the response body matches the documented schema for its status, and
its Content-Type is a documented one. Bounded: API_FUZZ_EXAMPLES generated cases per operation
(default 6), derandomized so a CI run is repeatable; a failure lists every operation that
failed with schemathesis' own report. The operations covered and the checks used are written
to test-artifacts/api-fuzz.txt and printed at the end of the pytest run.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.management import call_command
from django.test import override_settings
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from accounts.models import User
from accounts.services import api_token_issue

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))
# A demo poster: owner of an organization with tasks, bids received and contracts.
DEMO_USER = "liu.yang@shancheng-home.demo"
# Revoking the token would sign the rest of the run out; tests/accounts/test_api_tokens.py
# covers it.
SKIPPED = {"DELETE /api/v1/auth/token/"}
SUMMARY = Path(__file__).resolve().parents[1] / "test-artifacts" / "api-fuzz.txt"


@pytest.fixture
def demo_token(transactional_db: None) -> str:
    """The demo data, committed (the app answers from its own threads); flushed afterwards."""
    # The demo funds its contracts through the sandbox, whatever Stripe the tests point at.
    with override_settings(PAYMENTS_GATEWAY="sandbox"):
        call_command("seed_demo", stdout=io.StringIO())
    return api_token_issue(user=User.objects.get(email=DEMO_USER))


def test_every_operation_answers_as_the_schema_says(demo_token: str) -> None:
    from marketplace.asgi import application

    auth = {"Authorization": f"Token {demo_token}"}
    schema = schemathesis.openapi.from_asgi("/api/v1/schema/", application, headers=auth)
    covered: list[str] = []
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.full_path}"
        if label in SKIPPED:
            continue
        covered.append(label)

        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def exercise(case: Any) -> None:
            case.call_and_validate(headers=auth, checks=CHECKS)

        try:
            exercise()
        except Exception as error:  # schemathesis raises one error per failing operation
            failures[label] = str(error)[:3000]

    SUMMARY.parent.mkdir(exist_ok=True)
    SUMMARY.write_text(
        f"schemathesis: {len(covered)} operations, {EXAMPLES} generated cases each, checks: "
        + ", ".join(check.__name__ for check in CHECKS)
        + f"; {len(failures)} failed\n"
        + "".join(f"  {label}{'  FAILED' if label in failures else ''}\n" for label in covered)
    )
    assert len(covered) >= 60, covered
    assert not failures, "\n\n".join(f"{label}\n{report}" for label, report in failures.items())
