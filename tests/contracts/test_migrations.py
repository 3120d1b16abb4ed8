"""The move of contracts out of tasks loses nothing: a database in the old schema, with data,
migrates to the new one and every row is still there, linked the way it was."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from contracts.models import Contract, Delivery, DeliveryFile, Milestone, Review
from contracts.services import (
    contract_award,
    contract_funding_received,
    milestone_accept,
    milestone_submit,
    review_submit,
)
from marketplace.audit import audit_record
from marketplace.models import AuditEvent
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

OLD = ("tasks", "0003_verbose_names")
MODELS = (Contract, Milestone, Delivery, DeliveryFile, Review)
OLD_TABLES = {
    Contract: "tasks_contract",
    Milestone: "tasks_milestone",
    Delivery: "tasks_delivery",
    DeliveryFile: "tasks_deliveryfile",
    Review: "tasks_review",
}
DANGLING_BID_ID = 987_654_321


def _completed_contract() -> Contract:
    task = TaskFactory()
    bid = BidFactory(task=task, amount=30_000_00, duration_days=20,
                     milestones=[("调研", 10_000_00, 10), ("交付", 20_000_00, 20)])  # fmt: skip
    owner, provider = task_owner(task), bid_operator(bid)
    contract = contract_funding_received(
        contract=contract_award(actor=owner, bid=bid), reference="pi_migration"
    )
    for milestone in contract.milestones.order_by("position"):
        milestone_submit(
            actor=provider,
            milestone=milestone,
            note="成果见附件。",
            files=[SimpleUploadedFile("report.txt", b"results\n")],
        )
        milestone_accept(actor=owner, milestone=milestone)
    scores = {"rating": 5, "quality": 4, "communication": 5, "timeliness": 4}
    review_submit(actor=owner, contract=contract, comment="很好", **scores)
    review_submit(actor=provider, contract=contract, comment="合作愉快", **scores)
    return contract


def _rows(model: type[Any]) -> list[dict[str, Any]]:
    rows = list(model.objects.order_by("pk").values())
    for row in rows:
        row.pop("bid_id", None)
        row.pop("mode", None)
    return rows


def _leaves_without_contracts(executor: MigrationExecutor) -> list[tuple[str, str]]:
    """Every app's latest migration that does not need the contracts app, plus the old tasks."""
    graph = executor.loader.graph
    moved = ("contracts", "0001_initial")
    leaves = [
        leaf
        for leaf in graph.leaf_nodes()
        if leaf[0] != "tasks" and moved not in graph.forwards_plan(leaf)
    ]
    return [*leaves, OLD]


@pytest.mark.django_db(transaction=True)
def test_contracts_move_from_the_old_schema_with_every_row_and_link_kept():
    assert connection.vendor == "postgresql", "the migration test runs on PostgreSQL"
    contract = _completed_contract()
    orphan = _completed_contract()
    audit_record(actor=None, action="test.marker", target=contract)
    before = {model: _rows(model) for model in MODELS}
    bids = {c.pk: c.bid_id for c in Contract.objects.all()}
    contract_type = ContentType.objects.get_for_model(Contract)
    audit_rows = set(
        AuditEvent.objects.filter(target_type=contract_type).values_list("id", flat=True)
    )
    assert audit_rows

    executor = MigrationExecutor(connection)
    executor.migrate(_leaves_without_contracts(executor))
    ContentType.objects.clear_cache()
    with connection.cursor() as cursor:
        # The old schema: the contract tables under tasks, the bid as a bare id. One id points
        # at nothing, which the old schema could not prevent.
        for model, table in OLD_TABLES.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            assert cursor.fetchone()[0] == len(before[model])
        cursor.execute(
            "UPDATE tasks_contract SET source_bid_id = %s WHERE id = %s",
            [DANGLING_BID_ID, orphan.pk],
        )
        cursor.execute(
            "SELECT app_label FROM django_content_type WHERE id = %s", [contract_type.pk]
        )
        assert cursor.fetchone()[0] == "tasks"

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    for model in MODELS:
        assert _rows(model) == before[model], model.__name__
    linked = dict(Contract.objects.values_list("pk", "bid_id"))
    assert linked[contract.pk] == bids[contract.pk]
    assert linked[orphan.pk] is None
    assert set(Contract.objects.values_list("mode", flat=True)) == {Contract.Mode.TENDER}
    moved_type = ContentType.objects.get(pk=contract_type.pk)
    assert (moved_type.app_label, moved_type.model) == ("contracts", "contract")
    assert (
        set(AuditEvent.objects.filter(target_type=moved_type).values_list("id", flat=True))
        == audit_rows
    )
    assert contract.milestones.filter(deliveries__files__isnull=False).count() == 2
