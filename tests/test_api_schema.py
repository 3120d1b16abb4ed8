"""The OpenAPI schema: complete, valid, without warnings, and served with its docs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

API = "/api/v1"
OUR_PREFIXES = (
    "/api/v1/tasks/",
    "/api/v1/bids/",
    "/api/v1/attachments/",
    "/api/v1/moderation/",
    "/api/v1/contracts/",
    "/api/v1/milestones/",
    "/api/v1/disputes/",
    "/api/v1/delivery-files/",
    "/api/v1/receipts/",
    "/api/v1/deliveries/",
    "/api/v1/providers/",
    "/api/v1/voucher-programmes/",
    "/api/v1/organizations/{organization_id}/vouchers/",
    "/api/v1/threads/",
    "/api/v1/offers/",
    "/api/v1/questions/",
    "/api/v1/negotiation-files/",
    "/api/v1/contests/",
    "/api/v1/contest-objections/",
    "/api/v1/piecework/",
)


def test_spectacular_validates_the_schema_and_has_no_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yaml"
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(out),
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr
    assert out.stat().st_size > 0


@pytest.mark.django_db
def test_the_docs_and_the_schema_are_served() -> None:
    client = APIClient()

    docs = client.get(f"{API}/docs/")
    schema = client.get(f"{API}/schema/")

    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert schema.status_code == 200
    assert schema["Content-Type"].startswith("application/vnd.oai.openapi")


def test_the_docs_page_loads_nothing_from_other_hosts() -> None:
    """Intranets and mainland networks cannot rely on a CDN: every asset is our static file."""
    body = APIClient().get(f"{API}/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert assets
    assert all(url.startswith(settings.STATIC_URL) for url in assets), assets


@pytest.fixture
def schema(db: None) -> dict:
    response = APIClient().get(f"{API}/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _our_operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        if path.startswith(OUR_PREFIXES)
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_tasks_and_bids_operation_is_tagged_and_documents_its_errors(schema: dict) -> None:
    operations = _our_operations(schema)

    # Counted from the schema: the operations under OUR_PREFIXES (tasks, bids, contracts,
    # payments, vouchers, receipts, payouts, favourites, search, negotiation, questions,
    # disputes, reports, moderation, contests and piece-work).
    assert len(operations) == 112
    for path, method, operation in operations:
        assert operation.get("tags"), (path, method)
        assert operation.get("description"), (path, method)
        errors = [code for code in operation["responses"] if code.startswith("4")]
        assert errors, (path, method)
        for code in errors:
            ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ApiError"), (path, method, code)


def test_no_operation_answers_a_bare_list(schema: dict) -> None:
    """Every list a GET reads is paginated the same way: count, next, previous, results."""
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method != "get":
                continue
            ok = operation.get("responses", {}).get("200", {}).get("content", {})
            body = ok.get("application/json", {}).get("schema")
            if body is None:
                continue
            if "$ref" in body:
                body = components[body["$ref"].rsplit("/", 1)[-1]]
            assert body.get("type") != "array", (method, path)


def test_lists_are_paginated_and_amounts_are_integers(schema: dict) -> None:
    paths = schema["paths"]
    components = schema["components"]["schemas"]

    for path in (
        "/api/v1/tasks/",
        "/api/v1/tasks/mine/",
        "/api/v1/bids/mine/",
        "/api/v1/contracts/",
        "/api/v1/receipts/",
    ):
        ok = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        page = components[ok["$ref"].rsplit("/", 1)[1]]
        assert set(page["properties"]) == {"count", "next", "previous", "results"}, path
        params = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert {"page", "page_size"} <= params, path
    assert components["BidTermsInputRequest"]["properties"]["amount"]["type"] == "integer"
    for name in ("budget_min", "budget_max"):
        assert components["TaskCreateInputRequest"]["properties"][name]["type"] == "integer"
    receipt = components["ReceiptOutput"]["properties"]
    for name in ("amount", "tax_amount", "amount_excluding_tax", "tax_rate_bps"):
        assert receipt[name]["type"] == "integer", name
    assert list(paths["/api/v1/receipts/export/"]["get"]["responses"]["200"]["content"]) == [
        "text/csv"
    ]
    upload = paths["/api/v1/tasks/{task_id}/attachments/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]


PROFILE_PATHS = (
    "/api/v1/portfolio/",
    "/api/v1/portfolio-files/",
    "/api/v1/favourites/",
    "/api/v1/me/avatar/",
    "/api/v1/organizations/{organization_id}/logo/",
    "/api/v1/provider-profiles/{profile_id}/portfolio/",
    "/api/v1/provider-profiles/{profile_id}/favourite/",
    "/api/v1/provider-profiles/{profile_id}/invitations/",
)


def test_portfolio_pictures_favourites_and_invitations_are_documented(schema: dict) -> None:
    operations = [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        if path.startswith(PROFILE_PATHS)
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]

    assert len(operations) == 17
    for path, method, operation in operations:
        assert operation.get("tags"), (path, method)
        assert operation.get("description"), (path, method)
        errors = [code for code in operation["responses"] if code.startswith("4")]
        assert errors, (path, method)
    files = schema["paths"]["/api/v1/portfolio/{entry_id}/files/"]["post"]["requestBody"]
    assert list(files["content"]) == ["multipart/form-data"]
