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
    "/api/v1/delivery-files/",
    "/api/v1/threads/",
    "/api/v1/offers/",
    "/api/v1/questions/",
    "/api/v1/negotiation-files/",
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

    # 36 + payments' fund operation + 12 of negotiation + 5 of questions
    assert len(operations) == 54
    for path, method, operation in operations:
        assert operation.get("tags"), (path, method)
        assert operation.get("description"), (path, method)
        errors = [code for code in operation["responses"] if code.startswith("4")]
        assert errors, (path, method)
        for code in errors:
            ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ApiError"), (path, method, code)


def test_lists_are_paginated_and_amounts_are_integers(schema: dict) -> None:
    paths = schema["paths"]
    components = schema["components"]["schemas"]

    for path in (
        "/api/v1/tasks/",
        "/api/v1/tasks/mine/",
        "/api/v1/bids/mine/",
        "/api/v1/contracts/",
    ):
        ok = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        page = components[ok["$ref"].rsplit("/", 1)[1]]
        assert set(page["properties"]) == {"count", "next", "previous", "results"}, path
        params = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert {"page", "page_size"} <= params, path
    assert components["BidTermsInputRequest"]["properties"]["amount"]["type"] == "integer"
    for name in ("budget_min", "budget_max"):
        assert components["TaskCreateInputRequest"]["properties"][name]["type"] == "integer"
    upload = paths["/api/v1/tasks/{task_id}/attachments/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
