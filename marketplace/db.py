"""Row locks that read the latest committed state, and related lists filled from objects in hand."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connections, models
from django.db.models import QuerySet

M = TypeVar("M", bound=models.Model)


@contextmanager
def _for_share(connection: Any) -> Iterator[None]:
    """Within the block, this connection's FOR UPDATE clause reads FOR SHARE.

    Django has select_for_update (FOR UPDATE, FOR NO KEY UPDATE) but no FOR SHARE. The lock
    must sit on the statement that reads the row: PostgreSQL then waits for a writer and
    answers its committed version, where a FOR SHARE subquery would lock the new version
    and still show the old one. Each thread has its own connection, so the swap is local.
    """
    ops = connection.ops

    def for_share_sql(
        nowait: bool = False,
        skip_locked: bool = False,
        of: tuple[str, ...] = (),
        no_key: bool = False,
    ) -> str:
        return "FOR SHARE{}{}{}".format(
            " OF {}".format(", ".join(of)) if of else "",
            " NOWAIT" if nowait else "",
            " SKIP LOCKED" if skip_locked else "",
        )

    ops.for_update_sql = for_share_sql
    try:
        yield
    finally:
        del ops.for_update_sql


def lock_shared_first(queryset: QuerySet[M]) -> M | None:
    """The queryset's first row, locked FOR SHARE in the statement that reads it (inside a
    transaction), with whatever the queryset selects beside it; None when nothing matches.

    Many writers that only need the row to stay as it is (bids on one task) hold it together;
    a writer that changes it (close, award) takes FOR UPDATE and waits for them, and they wait
    for it, then see its committed state. Only the queryset's own table is locked. SQLite
    serialises writers anyway.
    """
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        with _for_share(connection):
            return queryset.select_for_update(of=("self",)).first()
    return queryset.select_for_update().first()


def lock_shared(model: type[M], pk: int, *, select_related: tuple[str, ...] = ()) -> M:
    """Lock a row FOR SHARE and return it fresh (inside a transaction), in one statement."""
    row = lock_shared_first(model._default_manager.select_related(*select_related).filter(pk=pk))
    if row is None:
        raise model.DoesNotExist(f"{model.__name__} {pk} does not exist.")  # type: ignore[attr-defined]
    return row


def fill_related(instance: models.Model, name: str, objects: Iterable[models.Model]) -> None:
    """Make `instance.<name>.all()` answer `objects` without a query, as a prefetch would:
    for a response built from rows a service has just written."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache = getattr(instance, "_prefetched_objects_cache", None)
    if cache is None:
        cache = instance._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    cache[name] = queryset


def violated_constraint(error: BaseException) -> str:
    """The name of the constraint an IntegrityError broke ("" when the database does not say):
    a service that lets the constraint decide a race maps only its own constraint to a
    domain error and lets any other failure through."""
    diag = getattr(error.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    # SQLite names no constraint; its message names the columns of a unique one.
    return str(error)
