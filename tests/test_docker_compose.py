"""docker-compose.yml describes the stack the tests run against (no Docker engine here, so the
file is read, not run): the same server versions as scripts/test-servers, every app process
wired to them, and nothing started before what it needs is healthy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import elasticsearch
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def script_constant(name: str) -> str:
    script = (ROOT / "scripts" / "test-servers").read_text()
    match = re.search(rf"^readonly {name}=(\S+)$", script, re.M)
    assert match, f"scripts/test-servers no longer defines {name}"
    return match.group(1)


def command_text(service: dict[str, Any]) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_the_stack_has_every_server_and_process(services: dict[str, Any]) -> None:
    assert set(services) >= {"postgres", "redis", "elasticsearch", *APP_SERVICES}


def test_server_images_match_the_test_servers(services: dict[str, Any]) -> None:
    assert services["postgres"]["image"] == f"postgres:{script_constant('PG_MAJOR')}"
    assert services["redis"]["image"] == f"redis:{script_constant('REDIS_MAJOR')}"
    es_image, es_tag = services["elasticsearch"]["image"].rsplit(":", 1)
    assert es_image == "docker.elastic.co/elasticsearch/elasticsearch"
    assert es_tag == script_constant("ES_VERSION")


def test_elasticsearch_major_matches_the_python_client(services: dict[str, Any]) -> None:
    # The 8.x client refuses a 9.x server and the other way round.
    es_tag = services["elasticsearch"]["image"].rsplit(":", 1)[1]
    assert es_tag.split(".")[0] == elasticsearch.__versionstr__.split(".")[0]


def test_elasticsearch_runs_as_a_single_local_node(services: dict[str, Any]) -> None:
    env = services["elasticsearch"]["environment"]
    assert env["discovery.type"] == "single-node"
    assert str(env["xpack.security.enabled"]).lower() == "false"
    assert "ports" not in services["elasticsearch"], "an unsecured cluster must not be published"


@pytest.mark.parametrize("name", ["postgres", "redis", "elasticsearch", "web"])
def test_servers_declare_healthchecks(services: dict[str, Any], name: str) -> None:
    test = services[name]["healthcheck"]["test"]
    assert test[0] in {"CMD", "CMD-SHELL"}
    probe = " ".join(test[1:])
    expected = {
        "postgres": "pg_isready",
        "redis": "redis-cli ping",
        "elasticsearch": "_cluster/health?wait_for_status=yellow",
        "web": "http://127.0.0.1:8000/",
    }[name]
    assert expected in probe


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_processes_are_wired_to_the_servers(services: dict[str, Any], name: str) -> None:
    service = services[name]
    assert service["build"] == "."
    env = service["environment"]
    assert env["DATABASE_URL"] == "postgres://marketplace:marketplace@postgres:5432/marketplace"
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["ELASTICSEARCH_URL"] == "http://elasticsearch:9200"
    postgres_env = services["postgres"]["environment"]
    assert (postgres_env["POSTGRES_USER"], postgres_env["POSTGRES_DB"]) == ("marketplace",) * 2


def test_web_migrates_then_serves_http_and_websockets(services: dict[str, Any]) -> None:
    command = command_text(services["web"])
    assert re.search(
        r"manage\.py migrate --noinput && exec daphne -b 0\.0\.0\.0 -p 8000 "
        r"marketplace\.asgi:application",
        command,
    )
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_worker_and_beat_run_celery(services: dict[str, Any]) -> None:
    assert command_text(services["worker"]).startswith("celery -A marketplace worker")
    assert command_text(services["beat"]).startswith("celery -A marketplace beat")


def test_web_starts_only_when_its_servers_are_healthy(services: dict[str, Any]) -> None:
    depends = services["web"]["depends_on"]
    for server in ("postgres", "redis", "elasticsearch"):
        assert depends[server]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_starts_after_the_migrations(services: dict[str, Any], name: str) -> None:
    depends = services[name]["depends_on"]
    assert depends["web"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"


def test_dockerfile_builds_a_locked_non_root_image() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    user = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    assert user, "the image must switch to a non-root USER"
    assert user[-1] not in {"root", "0"}


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".tools", "var", "*.sqlite3", ".env"} <= ignored
