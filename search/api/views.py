"""The search API: task search, the provider directory, skill autocomplete, matching both ways
and saved searches. Thin: each view validates its input and asks search.services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ProviderProfile
from accounts.selectors import provider_profiles_operated_by
from marketplace.api import Pagination, paginate, paginated, validated, with_errors
from marketplace.budgets import Budget
from marketplace.errors import NotFound
from search import services
from search.query import (
    MAX_PAGE,
    PROVIDER_SORTS,
    TASK_SORTS,
    Hit,
    ProviderQuery,
    Results,
    TaskQuery,
)
from tasks.models import Task
from tasks.selectors import task_get_for_user

TAG = ["search"]

# What the hot search paths may cost (tests/search/test_hot_path.py), on either backend. With a
# token the caller is one statement (the token and its user); the database backend reads its
# candidates in one more, where Elasticsearch answers over the client's pooled connection.
# Redis: the user throttle (INCRBY, EXPIRE).
BUDGETS = {
    # the caller, the viewer's provider profiles and memberships (who may see which task)
    "search": Budget(queries=4, redis=2),
    # the caller, the memberships (is a poster member), the task as the caller may see it, its
    # weighted skills (search.sources.task_match_profile), who bid and the black list (one
    # union: search.services._left_out_of_matching)
    "matching": Budget(queries=6, redis=2),
}


class _CommaList(serializers.ListField):
    """A list from repeated parameters (?skills=a&skills=b) or one comma-separated value."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, list) and len(data) == 1 and isinstance(data[0], str):
            data = [p for p in data[0].split(",") if p]
        return super().to_internal_value(data)


def _query_data(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        data[key] = values if key in ("kinds", "modes", "skills", "availability") else values[-1]
    return data


class TaskSearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    kinds = _CommaList(
        child=serializers.ChoiceField(choices=Task.Kind.choices), required=False, default=list
    )
    modes = _CommaList(
        child=serializers.ChoiceField(choices=Task.Mode.choices),
        required=False,
        default=list,
        help_text="tender, contest, piecework (a facet: facets.mode).",
    )
    skills = _CommaList(child=serializers.SlugField(), required=False, default=list, max_length=20)
    category = serializers.SlugField(required=False, allow_blank=True, default="")
    budget_min = serializers.IntegerField(
        required=False, min_value=0, default=None, help_text="In fen."
    )
    budget_max = serializers.IntegerField(
        required=False, min_value=0, default=None, help_text="In fen."
    )
    region = serializers.RegexField(r"^\d{6}$", required=False, allow_blank=True, default="")
    deadline_before = serializers.DateField(required=False, default=None)
    verified = serializers.BooleanField(required=False, default=False)
    sort = serializers.ChoiceField(choices=TASK_SORTS, required=False, default="relevance")
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=50, default=12)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        low, high = attrs.get("budget_min"), attrs.get("budget_max")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"budget_max": ["Must not be below budget_min."]})
        return attrs

    def query(self) -> TaskQuery:
        d = self.validated_data
        return TaskQuery(
            text=d["q"], kinds=tuple(d["kinds"]), modes=tuple(d["modes"]),
            skills=tuple(d["skills"]), category=d["category"],
            budget_min=d["budget_min"], budget_max=d["budget_max"], region=d["region"],
            deadline_before=d["deadline_before"], verified=d["verified"], sort=d["sort"],
            page=d["page"], page_size=d["page_size"],
        )  # fmt: skip


class ProviderSearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    skills = _CommaList(child=serializers.SlugField(), required=False, default=list, max_length=20)
    category = serializers.SlugField(required=False, allow_blank=True, default="")
    region = serializers.RegexField(r"^\d{6}$", required=False, allow_blank=True, default="")
    verified = serializers.BooleanField(required=False, default=False)
    availability = _CommaList(
        child=serializers.ChoiceField(choices=ProviderProfile.Availability.choices),
        required=False,
        default=list,
    )
    sort = serializers.ChoiceField(choices=PROVIDER_SORTS, required=False, default="relevance")
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=50, default=12)

    def query(self) -> ProviderQuery:
        d = self.validated_data
        return ProviderQuery(
            text=d["q"], skills=tuple(d["skills"]), category=d["category"], region=d["region"],
            verified=d["verified"], availability=tuple(d["availability"]), sort=d["sort"],
            page=d["page"], page_size=d["page_size"],
        )  # fmt: skip


class FacetBucketSerializer(serializers.Serializer):
    key = serializers.CharField()
    count = serializers.IntegerField()


class SkillFitSerializer(serializers.Serializer):
    skill = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.IntegerField()
    level = serializers.IntegerField(required=False)


class ExplanationSerializer(serializers.Serializer):
    score = serializers.FloatField()
    overlap = serializers.IntegerField()
    coverage = serializers.IntegerField(help_text="Percent of the best possible weighted overlap.")
    matched_skills = SkillFitSerializer(many=True)
    missing_skills = SkillFitSerializer(many=True)
    signals = serializers.ListField(child=serializers.CharField())


class TaskHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    kind = serializers.CharField()
    skills = serializers.ListField(child=serializers.CharField())
    budget_min = serializers.IntegerField(help_text="In fen.")
    budget_max = serializers.IntegerField(help_text="In fen.")
    currency = serializers.CharField()
    region = serializers.CharField()
    organization_name = serializers.CharField()
    organization_verified = serializers.BooleanField()
    bid_deadline = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    explanation = ExplanationSerializer(required=False, allow_null=True)


class ProviderHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    headline = serializers.CharField()
    skills = serializers.ListField(child=serializers.CharField())
    region = serializers.CharField()
    availability = serializers.CharField()
    verified = serializers.BooleanField()
    rating = serializers.FloatField(allow_null=True)
    credit = serializers.IntegerField()
    contracts_completed = serializers.IntegerField()
    explanation = ExplanationSerializer(required=False, allow_null=True)


TASK_FIELDS: list[str] = [str(f) for f in TaskHitSerializer().fields if f != "explanation"]
PROVIDER_FIELDS: list[str] = [str(f) for f in ProviderHitSerializer().fields if f != "explanation"]


def _hit(hit: Hit, fields: list[str]) -> dict[str, Any]:
    data = {f: hit.doc.get(f) for f in fields}
    data["explanation"] = hit.explanation.as_dict() if hit.explanation else None
    return data


class TaskResultsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    degraded = serializers.BooleanField(
        help_text="True when Elasticsearch is down: a simpler copy answered."
    )
    facets = serializers.DictField(child=FacetBucketSerializer(many=True))
    results = TaskHitSerializer(many=True)


class ProviderResultsSerializer(TaskResultsSerializer):
    results = ProviderHitSerializer(many=True)  # type: ignore[assignment]


def _results(results: Results, fields: list[str]) -> dict[str, Any]:
    return {
        "count": results.total,
        "page": results.page,
        "pages": results.pages,
        "degraded": results.degraded,
        "facets": {
            name: [{"key": k, "count": c} for k, c in buckets]
            for name, buckets in results.facets.items()
        },
        "results": [_hit(h, fields) for h in results.hits],
    }


class TaskSearchApi(APIView):
    """Open tasks you may see that match the words and filters, with facets and counts."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAG,
        operation_id="search_tasks",
        parameters=[TaskSearchInputSerializer],
        responses=with_errors({200: TaskResultsSerializer}, 400),
        summary="Search open tasks (Chinese and English words, skills by any alias), with facets",
    )
    def get(self, request: Request) -> Response:
        serializer = TaskSearchInputSerializer(data=_query_data(request))
        serializer.is_valid(raise_exception=True)
        results = services.search_tasks(user=request.user, query=serializer.query())
        return Response(_results(results, TASK_FIELDS))


class ProviderSearchApi(APIView):
    """Providers by words, skills, category, region, verification and availability."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAG,
        operation_id="search_providers",
        parameters=[ProviderSearchInputSerializer],
        responses=with_errors({200: ProviderResultsSerializer}, 400),
        summary="The provider directory (找服务商), with facets",
    )
    def get(self, request: Request) -> Response:
        serializer = ProviderSearchInputSerializer(data=_query_data(request))
        serializer.is_valid(raise_exception=True)
        results = services.search_providers(user=request.user, query=serializer.query())
        return Response(_results(results, PROVIDER_FIELDS))


class SkillSuggestionInputSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=40)


class SkillSuggestionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    category = serializers.CharField()
    category_name = serializers.CharField()


class SkillSuggestionsApi(APIView):
    """Skills whose Chinese name, English label or an alias starts with (or contains) q."""

    permission_classes = [AllowAny]
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        operation_id="search_skill_suggestions",
        parameters=[SkillSuggestionInputSerializer],
        responses=with_errors({200: SkillSuggestionSerializer(many=True)}, 400),
        summary="Skill autocomplete: skills whose Chinese name, English label or alias fits",
    )
    def get(self, request: Request) -> Response:
        data = validated(SkillSuggestionInputSerializer, request.query_params)
        paginator, page = paginate(
            view=self, request=request, queryset=list(services.skill_suggestions(prefix=data["q"]))
        )
        return paginated(paginator, page)


class MatchListSerializer(serializers.Serializer):
    degraded = serializers.BooleanField()
    results = ProviderHitSerializer(many=True)


class TaskMatchListSerializer(serializers.Serializer):
    degraded = serializers.BooleanField()
    results = TaskHitSerializer(many=True)


class RecommendedProvidersApi(APIView):
    """Providers for your task, best first, each with why it matched (poster's members)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="task_recommended_providers",
        responses=with_errors({200: MatchListSerializer}, 401, 403, 404),
        summary="Providers for the poster's task, best first, each with its explanation",
    )
    def get(self, request: Request, task_id: int) -> Response:
        task = task_get_for_user(user=request.user, task_id=task_id)
        hits, degraded = services.recommended_providers(user=request.user, task=task)
        return Response({"degraded": degraded, "results": [_hit(h, PROVIDER_FIELDS) for h in hits]})


class MatchingTasksInputSerializer(serializers.Serializer):
    provider = serializers.IntegerField(required=False, help_text="A provider profile you act for.")


class MatchingTasksApi(APIView):
    """Open tasks your skills fit, best first, each with why it matched."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="me_matching_tasks",
        parameters=[MatchingTasksInputSerializer],
        responses=with_errors({200: TaskMatchListSerializer}, 400, 401, 404),
        summary="The “for you” feed: open tasks your skills fit, each with its explanation",
    )
    def get(self, request: Request) -> Response:
        data = validated(MatchingTasksInputSerializer, request.query_params)
        profiles = provider_profiles_operated_by(user=request.user).order_by("pk")
        if data.get("provider") is not None:
            profiles = profiles.filter(pk=data["provider"])
        profile = profiles.first()
        if profile is None:
            raise NotFound("You have no provider profile yet.")
        hits, degraded = services.tasks_for_provider(user=request.user, profile=profile)
        return Response({"degraded": degraded, "results": [_hit(h, TASK_FIELDS) for h in hits]})


class SavedSearchSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=80)
    alerts = serializers.BooleanField(default=True)
    params = serializers.DictField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class SavedSearchInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    alerts = serializers.BooleanField(default=True)
    query = TaskSearchInputSerializer()


def _saved(saved: Any) -> dict[str, Any]:
    return {
        "id": saved.pk,
        "name": saved.name,
        "alerts": saved.alerts,
        "params": saved.params,
        "created_at": saved.created_at,
    }


class SavedSearchCollectionApi(APIView):
    """Your saved task searches; a new task that matches one sends a notification."""

    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        operation_id="saved_searches_list",
        responses=with_errors({200: SavedSearchSerializer(many=True)}, 401),
    )
    def get(self, request: Request) -> Response:
        paginator, page = paginate(
            view=self,
            request=request,
            queryset=list(services.saved_searches_for_user(user=request.user)),
        )
        return paginated(paginator, [_saved(s) for s in page])

    @extend_schema(
        tags=TAG,
        operation_id="saved_searches_create",
        request=SavedSearchInputSerializer,
        responses=with_errors({201: SavedSearchSerializer}, 400, 401, 403, 409),
        summary="Save a task search; a new task that matches it sends a notification",
    )
    def post(self, request: Request) -> Response:
        serializer = SavedSearchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        body = request.data if isinstance(request.data, dict) else {}
        query_serializer = TaskSearchInputSerializer(data=body.get("query") or {})
        query_serializer.is_valid(raise_exception=True)
        saved = services.saved_search_create(
            user=request.user,
            name=serializer.validated_data["name"],
            query=query_serializer.query(),
            alerts=serializer.validated_data["alerts"],
        )
        return Response(_saved(saved), status=status.HTTP_201_CREATED)


class SavedSearchDetailApi(APIView):
    """One of your saved searches."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="saved_searches_delete",
        responses=with_errors({204: None}, 401, 403, 404),
    )
    def delete(self, request: Request, saved_search_id: int) -> Response:
        saved = services.saved_search_get_for_user(
            user=request.user, saved_search_id=saved_search_id
        )
        services.saved_search_delete(user=request.user, saved_search=saved)
        return Response(status=status.HTTP_204_NO_CONTENT)
