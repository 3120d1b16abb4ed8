"""What pages, the API and Celery ask of search: task search, the provider directory, matching
both ways, skill autocomplete and saved searches.

Every answer goes through the configured backend; when Elasticsearch is configured but does not
answer, the database backend's copy answers instead and the result says it is degraded.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import ProviderProfile
from accounts.selectors import (
    black_listed_organization_id_query,
    black_listed_provider_id_query,
    black_listed_provider_ids,
    user_can_act_for_provider,
)
from bids.selectors import provider_id_query_who_bid, task_id_query_bid_by
from marketplace import notifications
from marketplace.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from marketplace.permissions import require_active_user
from search import sources, text
from search.backends import Backend, SearchUnavailable, backend
from search.backends.database import DatabaseBackend
from search.models import SavedSearch
from search.query import MAX_PAGE, Hit, ProviderQuery, Results, TaskQuery
from search.ranking import GOOD_MATCH_COVERAGE
from tasks.models import Task
from tasks.selectors import listing_viewer, task_capabilities, task_id_query_searchable

logger = logging.getLogger(__name__)

MATCH_LIMIT = 10
MAX_SAVED_SEARCHES = 20


def _answer(call: Any) -> tuple[Any, bool]:
    """Run `call(backend)` on the configured backend, or on the database copy if it is down."""
    chosen: Backend = backend()
    try:
        return call(chosen), False
    except SearchUnavailable as error:
        if chosen.name == "database":
            raise
        logger.warning("search degraded, answering from the database copy: %s", error)
        return call(DatabaseBackend()), True


def _page(query: Any) -> Any:
    return replace(query, page=min(max(1, query.page), MAX_PAGE))


def search_tasks(*, user: Any, query: TaskQuery) -> Results:
    """Open tasks the user may see that match the query, with facets."""
    viewer = listing_viewer(user=user)
    results, degraded = _answer(lambda b: b.search_tasks(_page(query), viewer))
    results.degraded = degraded
    return results


def search_providers(*, user: Any, query: ProviderQuery) -> Results:
    """The provider directory (找服务商): suspended people never appear, nor the black-listed
    (read from PostgreSQL at query time, so an entry's start and expiry apply at once)."""
    exclude = black_listed_provider_ids()
    results, degraded = _answer(lambda b: b.search_providers(_page(query), exclude=exclude))
    results.degraded = degraded
    return results


def _left_out_of_matching(*, task_id: int) -> set[int]:
    """Who bid on the task (they found it already) and the black-listed, in one statement."""
    return set(provider_id_query_who_bid(task_id=task_id).union(black_listed_provider_id_query()))


def recommended_providers(
    *, user: Any, task: Task, limit: int = MATCH_LIMIT
) -> tuple[list[Hit], bool]:
    """Providers for a task, best first, each explained; for the poster's members only.

    Leaves out the unavailable, suspended people, the poster's own firm, whoever already bid
    and the black-listed (DESIGN §7).
    """
    if not task_capabilities(user=user, task=task).member:
        raise NotAllowed(_("Only members of the posting organization see recommended providers."))
    profile = sources.task_match_profile(task_id=task.pk)
    if profile is None:
        return [], False
    exclude = _left_out_of_matching(task_id=task.pk)
    now = timezone.now()
    return _answer(lambda b: b.match_providers(profile, exclude=exclude, limit=limit, now=now))


def tasks_for_provider(
    *, user: Any, profile: ProviderProfile, limit: int = MATCH_LIMIT
) -> tuple[list[Hit], bool]:
    """The "for you" feed: open tasks the profile's skills fit, best first, each explained;
    tasks it already bid on and tasks the user may not see stay out."""
    if not user_can_act_for_provider(user=user, profile=profile):
        raise NotFound(_("Provider not found."))
    match = sources.provider_match_profile(profile_id=profile.pk)
    if match is None:
        return [], False
    viewer = listing_viewer(user=user)
    # Tasks of black-listed organizations stay out of the feed too (one statement for both).
    exclude = set(
        task_id_query_bid_by(provider_id=profile.pk).union(
            task_id_query_searchable(organization_ids=black_listed_organization_id_query())
        )
    )
    now = timezone.now()
    return _answer(
        lambda b: b.match_tasks(match, viewer=viewer, exclude=exclude, limit=limit, now=now)
    )


def skill_suggestions(*, prefix: str, limit: int = 8) -> list[dict[str, str]]:
    """Skills whose names or aliases start with (or, for Chinese, contain) `prefix`."""
    wanted = prefix.strip().lower()[:40]
    if not wanted:
        return []
    zh = (get_language() or "zh").startswith("zh")
    ranked = []
    for skill in text.lexicon().skills.values():
        starts = any(alias.startswith(wanted) for alias in skill.aliases)
        contains = starts or any(wanted in alias for alias in skill.aliases)
        if contains:
            ranked.append((0 if starts else 1, skill.slug, skill))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [
        {
            "slug": skill.slug,
            "name": skill.name_zh if zh else skill.name_en,
            "name_zh": skill.name_zh,
            "name_en": skill.name_en,
            "category": skill.category,
            "category_name": skill.category_zh if zh else skill.category_en,
        }
        for _rank, _slug, skill in ranked[:limit]
    ]


# --- Saved searches -----------------------------------------------------------------------------


def saved_searches_for_user(*, user: Any) -> list[SavedSearch]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(SavedSearch.objects.filter(user=user))


def saved_search_get_for_user(*, user: Any, saved_search_id: int) -> SavedSearch:
    if not getattr(user, "is_authenticated", False):
        raise NotFound(_("This saved search does not exist."))
    found = SavedSearch.objects.filter(pk=saved_search_id, user_id=user.pk).first()
    if found is None:
        raise NotFound(_("This saved search does not exist."))
    return found


def saved_search_create(
    *, user: Any, name: str, query: TaskQuery, alerts: bool = True
) -> SavedSearch:
    """Save a task search under a name (unique per user); alerts notify of new matching tasks."""
    require_active_user(user)
    name = " ".join(name.split())[:80]
    if not name:
        raise ValidationFailed(_("Give the search a name."), fields={"name": [_("Required.")]})
    params = query.to_params()
    if not params:
        raise ValidationFailed(_("Add some keywords or filters before saving the search."))
    with transaction.atomic():
        if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
            raise ValidationFailed(
                _("You can keep at most %(n)d saved searches.") % {"n": MAX_SAVED_SEARCHES}
            )
        try:
            with transaction.atomic():
                return SavedSearch.objects.create(
                    user=user, name=name, params=params, alerts=alerts
                )
        except IntegrityError:
            raise Conflict(
                _("You already have a saved search with this name."),
                fields={"name": [_("Choose another name.")]},
            ) from None


def saved_search_delete(*, user: Any, saved_search: SavedSearch) -> None:
    require_active_user(user)
    if saved_search.user_id != user.pk:
        raise NotFound(_("This saved search does not exist."))
    saved_search.delete()


def task_opened_alerts(*, task_ids: list[int]) -> None:
    """Schedule the alerts of tasks that are open now (saved searches and good matches)."""
    open_ids = Task.objects.filter(pk__in=task_ids, status=Task.Status.OPEN).values_list(
        "pk", flat=True
    )
    for task_id in open_ids:
        notifications.schedule("search_saved_match", task_id)
        notifications.schedule("search_good_match", task_id)


def saved_searches_matching(*, task_id: int) -> list[SavedSearch]:
    """Saved searches with alerts whose query matches the task now (as its owner sees it)."""
    database = DatabaseBackend()
    found = []
    for saved in SavedSearch.objects.filter(alerts=True).select_related("user"):
        if not saved.user.is_active:
            continue
        query = replace(TaskQuery.from_params(saved.params), ids=(task_id,), page=1)
        if database.search_tasks(query, listing_viewer(user=saved.user)).total:
            found.append(saved)
    return found


def providers_matching_well(*, task_id: int) -> list[Hit]:
    """Providers who cover at least GOOD_MATCH_COVERAGE of the new task's weighted skills."""
    profile = sources.task_match_profile(task_id=task_id)
    if profile is None:
        return []
    exclude = _left_out_of_matching(task_id=task_id)
    hits, _degraded = _answer(
        lambda b: b.match_providers(profile, exclude=exclude, limit=50, now=timezone.now())
    )
    return [h for h in hits if h.explanation and h.explanation.coverage >= GOOD_MATCH_COVERAGE]
