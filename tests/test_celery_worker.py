"""Celery really goes through Redis: a task sent here runs in a separate worker process.

The worker is the production command (`celery -A marketplace worker`) in a subprocess, so the
only way the task can reach it is the broker on REDIS_URL; it answers by writing its pid into
Redis, which this process reads back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings

from marketplace.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).with_name("celery")
WAIT_SECONDS = 60


@celery_app.task(name="tests.celery_worker.leave_pid")
def leave_pid(key: str) -> None:
    """Runs in the worker: stores the worker's pid under `key` (safe to run twice: same value)."""
    with redis.Redis.from_url(settings.REDIS_URL) as client:
        client.set(key, os.getpid(), ex=300)


@pytest.fixture
def worker(redis_client: Any, tmp_path: Path) -> Any:
    """A worker subprocess consuming a queue of its own, so no other run's worker can steal
    the task and this worker runs nothing else."""
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-probe-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false", "CELERY_QUEUE": queue}
    command = [
        str(CELERY), "-A", "marketplace", "worker", "--pool", "solo", "--queues", queue,
        "--include", "tests.test_celery_worker", "--hostname", f"probe-{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        yield process, queue, log
    finally:
        process.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        redis_client.delete(queue)


def test_a_task_crosses_the_redis_broker_to_a_worker_process(
    worker: tuple[subprocess.Popen[bytes], str, Path], redis_client: Any
) -> None:
    process, queue, log = worker
    assert not celery_app.conf.task_always_eager, "Celery is eager: REDIS_URL must be set"
    assert celery_app.conf.broker_url == settings.REDIS_URL

    key = f"{settings.CACHE_KEY_PREFIX}:celery-probe:{uuid.uuid4().hex}"
    leave_pid.apply_async(args=[key], queue=queue)

    deadline = time.monotonic() + WAIT_SECONDS
    while (pid := redis_client.get(key)) is None and time.monotonic() < deadline:
        assert process.poll() is None, f"the worker died:\n{log.read_text()[-4000:]}"
        time.sleep(0.2)
    assert pid is not None, f"no worker ran the task in {WAIT_SECONDS}s:\n{log.read_text()[-4000:]}"
    assert int(pid) == process.pid != os.getpid()
