"""Search pages: tasks for providers, the provider directory (找服务商), recommended providers
for a task, saved searches. Every answer comes from search.services; these views only parse
the query string and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import ProviderProfile
from accounts.regions import region_name
from frontend.forms_errors import form_apply_domain_error
from frontend.forms_search import ProviderSearchForm, SaveSearchForm, TaskSearchForm
from frontend.views._helpers import get_or_404, signed_in_user
from frontend.views.tasks import member_task_or_404
from marketplace.budgets import Budget
from marketplace.errors import DomainError, NotAllowed
from search import services, text
from search.query import Results, Terms, highlight
from tasks.models import Task

# What the search pages may cost (tests/search/test_hot_path.py), on either backend (the
# database one reads its candidates in one statement more than Elasticsearch): the session, the
# user and the header's credit-list and unread-notification reads, then each page's own.
BUDGETS = {
    # the viewer's provider profiles and memberships; Redis: one cache read
    "search": Budget(queries=7, redis=1),
    # the black list; Redis: one cache read
    "directory": Budget(queries=6, redis=1),
    # the memberships, the task, its weighted skills, who bid and the black list (one union),
    # the invitations
    "matches": Budget(queries=10, redis=0),
}


def _skill_label(slug: str) -> str:
    info = text.lexicon().skills.get(slug)
    if info is None:
        return slug
    return info.name_zh if (get_language() or "zh").startswith("zh") else info.name_en


def _category_label(slug: str) -> str:
    for info in text.lexicon().skills.values():
        if info.category == slug:
            return (
                info.category_zh if (get_language() or "zh").startswith("zh") else info.category_en
            )
    return slug


def _with(params: QueryDict, key: str, value: str, *, multi: bool) -> str:
    """The query string with `key=value` toggled (multi) or set, from the first page."""
    changed = params.copy()
    changed.pop("page", None)
    if multi:
        values = changed.getlist(key)
        changed.setlist(
            key, [v for v in values if v != value] if value in values else [*values, value]
        )
    elif changed.get(key) == value:
        changed.pop(key, None)
    else:
        changed[key] = value
    return "?" + changed.urlencode()


def _facets(request: HttpRequest, results: Results, labels: dict[str, Any]) -> list[dict[str, Any]]:
    params = request.GET
    groups = []
    for name, (title, label, param, multi) in labels.items():
        items = []
        for key, count in results.facets.get(name, []):
            selected = key in params.getlist(param) if multi else params.get(param) == key
            items.append(
                {
                    "label": label(key),
                    "count": count,
                    "selected": selected,
                    "url": _with(params, param, key, multi=multi),
                }
            )
        if items:
            groups.append({"name": name, "title": title, "items": items})
    return groups


def _page_links(request: HttpRequest, results: Results) -> dict[str, str]:
    links = {}
    for name, page in (("previous", results.page - 1), ("next", results.page + 1)):
        if 1 <= page <= results.pages:
            params = request.GET.copy()
            params["page"] = str(page)
            links[name] = "?" + params.urlencode()
    return links


def _chosen_skills(request: HttpRequest) -> list[dict[str, str]]:
    return [
        {"slug": s, "label": _skill_label(s), "remove": _with(request.GET, "skills", s, multi=True)}
        for s in request.GET.getlist("skills")
        if s in text.lexicon().skills
    ]


def task_search(request: HttpRequest) -> HttpResponse:
    form = TaskSearchForm(request.GET or None)
    query = form.query()
    results = services.search_tasks(user=request.user, query=query)
    terms = Terms.parse(query.text)
    kinds = dict(Task.Kind.choices)
    modes = dict(Task.Mode.choices)
    hits = [
        {
            "hit": hit,
            "title": highlight(hit.doc["title"], terms),
            "summary": highlight(hit.doc["summary"], terms),
            "skills": [_skill_label(s) for s in hit.doc["skills"][:5]],
            "kind": kinds.get(hit.doc["kind"], hit.doc["kind"]),
            "region": region_name(hit.doc.get("region", "")),
        }
        for hit in results.hits
    ]
    context = {
        "form": form,
        "results": results,
        "hits": hits,
        "facets": _facets(
            request,
            results,
            {
                "kind": (_("Kind"), lambda k: kinds.get(k, k), "kind", False),
                "mode": (_("How it runs"), lambda m: modes.get(m, m), "mode", False),
                "categories": (_("Skill category"), _category_label, "category", False),
                "skills": (_("Skills"), _skill_label, "skills", True),
                "province": (_("Region"), region_name, "region", False),
            },
        ),
        "chosen_skills": _chosen_skills(request),
        "links": _page_links(request, results),
        "save_form": SaveSearchForm(),
        "can_save": request.user.is_authenticated and bool(query.to_params()),
    }
    return render(request, "frontend/search/tasks.html", context)


def provider_directory(request: HttpRequest) -> HttpResponse:
    form = ProviderSearchForm(request.GET or None)
    query = form.query()
    results = services.search_providers(user=request.user, query=query)
    terms = Terms.parse(query.text)
    availability = {
        "available": _("Available now"),
        "limited": _("Limited availability"),
        "unavailable": _("Not taking work"),
    }
    hits = [
        {
            "hit": hit,
            "name": highlight(hit.doc["name"], terms),
            "headline": highlight(hit.doc["headline"], terms),
            "bio": highlight(hit.doc.get("bio") or "", terms, limit=160),
            "skills": [
                {"label": _skill_label(sl["skill"]), "level": sl["level"]}
                for sl in hit.doc["skill_levels"][:6]
            ],
            "availability": availability.get(hit.doc["availability"], ""),
            "region": region_name(hit.doc.get("region", "")),
        }
        for hit in results.hits
    ]
    context = {
        "form": form,
        "results": results,
        "hits": hits,
        "facets": _facets(
            request,
            results,
            {
                "categories": (_("Skill category"), _category_label, "category", False),
                "skills": (_("Skills"), _skill_label, "skills", True),
                "availability": (
                    _("Availability"),
                    lambda k: availability.get(k, k),
                    "availability",
                    True,
                ),
                "province": (_("Region"), region_name, "region", False),
            },
        ),
        "chosen_skills": _chosen_skills(request),
        "links": _page_links(request, results),
    }
    return render(request, "frontend/search/providers.html", context)


@login_required
def task_matches(request: HttpRequest, task_id: int) -> HttpResponse:
    """Recommended providers for the poster's task, explained, each with an invite button."""
    task = member_task_or_404(request, task_id)
    try:
        hits, degraded = services.recommended_providers(user=request.user, task=task)
    except NotAllowed:
        raise Http404 from None
    invited = set(task.invitations.values_list("provider_id", flat=True))
    context = {
        "task": task,
        "hits": [{"hit": h, "invited": h.id in invited} for h in hits],
        "degraded": degraded,
        "can_invite": task.status
        in (Task.Status.DRAFT, Task.Status.PENDING_REVIEW, Task.Status.OPEN),
    }
    return render(request, "frontend/search/matches.html", context)


@login_required
def saved_searches(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        form = SaveSearchForm(request.POST)
        query = TaskSearchForm(request.GET or None).query()
        if form.is_valid():
            try:
                services.saved_search_create(user=user, name=form.cleaned_data["name"], query=query)
            except DomainError as exc:
                form_apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Search saved. We will tell you about new matching tasks.")
                )
                return redirect("frontend:saved_searches")
        for error in [*form.non_field_errors(), *form.errors.get("name", [])]:
            messages.error(request, error)
        return redirect(
            reverse("frontend:search") + ("?" + request.GET.urlencode() if request.GET else "")
        )
    items = []
    for saved in services.saved_searches_for_user(user=user):
        params = QueryDict(mutable=True)
        for key, value in saved.params.items():
            key = {
                "text": "q",
                "kinds": "kind",
                "modes": "mode",
                "budget_min": "budget_from",
                "budget_max": "budget_to",
            }.get(key, key)
            if isinstance(value, list):
                params.setlist(key, [str(v) for v in value])
            elif key in ("budget_from", "budget_to"):
                params[key] = f"{int(value) / 100:g}"
            else:
                params[key] = str(value)
        items.append({"saved": saved, "url": reverse("frontend:search") + "?" + params.urlencode()})
    return render(request, "frontend/search/saved.html", {"items": items})


@require_POST
@login_required
def saved_search_delete(request: HttpRequest, saved_search_id: int) -> HttpResponse:
    user = signed_in_user(request)
    saved = get_or_404(
        services.saved_search_get_for_user, user=user, saved_search_id=saved_search_id
    )
    try:
        services.saved_search_delete(user=user, saved_search=saved)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved search deleted."))
    return redirect("frontend:saved_searches")


def for_you(request: HttpRequest, operated: list[ProviderProfile]) -> list[dict[str, Any]]:
    """The dashboard's "for you" feed of the first of the provider profiles the user acts for
    (empty without)."""
    if not operated:
        return []
    profile = operated[0]
    hits, _degraded = services.tasks_for_provider(user=request.user, profile=profile, limit=5)
    return [{"hit": h, "doc": h.doc} for h in hits]
