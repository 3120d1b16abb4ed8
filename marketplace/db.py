"""Row locks that read the latest committed state."""

from __future__ import annotations

from typing import TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def lock_shared(model: type[M], pk: int, *, select_related: tuple[str, ...] = ()) -> M:
    """Lock a row FOR SHARE and return it fresh (inside a transaction).

    Many writers that only need the row to stay as it is (bids on one task) hold it together;
    a writer that changes it (close, award) takes FOR UPDATE and waits for them, and they wait
    for it, then see its committed state. SQLite serialises writers anyway.
    """
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(model._meta.pk.column or "id")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE {column} = %s FOR SHARE", [pk])  # noqa: S608
        return model._default_manager.select_related(*select_related).get(pk=pk)
    return model._default_manager.select_for_update().select_related(*select_related).get(pk=pk)
