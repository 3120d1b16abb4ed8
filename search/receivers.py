"""Change events (marketplace.events.changed, sent after commit) become indexing work.

A receiver only enqueues: one Celery task per event, carrying every id the event names (bulk).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from marketplace.events import changed


@receiver(changed, dispatch_uid="search.index_on_change")
def _index_on_change(
    sender: Any, *, kind: str, ids: tuple[int, ...], fields: tuple[str, ...], **_: Any
) -> None:
    from search.tasks import index_changed

    try:
        index_changed.delay(kind, list(ids), list(fields))
    except Exception:
        import logging

        logging.getLogger(__name__).warning(
            "search: could not enqueue indexing of %s %s", kind, ids
        )
