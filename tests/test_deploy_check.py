"""Production settings pass Django's deployment checklist and refuse to start half-configured.

Run in subprocesses: DJANGO_ENV is read once, when the settings module is imported.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """A production environment: only what a deployment sets, none of the test servers' URLs."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_DIGEST_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "marketplace.example.com",
        "SQLITE_PATH": str(tmp_path / "deploy-check.sqlite3"),
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_production_settings_pass_the_deployment_checklist(tmp_path: Path) -> None:
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = manage(production_env(tmp_path, DJANGO_SECRET_KEY=""), "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    result = manage(production_env(tmp_path, DJANGO_SECRET_KEY="too-short"), "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_field_encryption_keys(tmp_path: Path) -> None:
    result = manage(production_env(tmp_path, FIELD_ENCRYPTION_KEYS=""), "check")
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_production_refuses_to_start_without_a_field_digest_key(tmp_path: Path) -> None:
    result = manage(production_env(tmp_path, FIELD_DIGEST_KEY=""), "check")
    assert result.returncode != 0
    assert "FIELD_DIGEST_KEY" in result.stderr


def test_production_refuses_a_short_field_digest_key(tmp_path: Path) -> None:
    result = manage(production_env(tmp_path, FIELD_DIGEST_KEY="too-short"), "check")
    assert result.returncode != 0
    assert "FIELD_DIGEST_KEY" in result.stderr
