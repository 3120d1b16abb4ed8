from django.urls import path

from search.api import views

app_name = "search-api"

urlpatterns = [
    path("search/tasks/", views.TaskSearchApi.as_view(), name="tasks"),
    path("search/providers/", views.ProviderSearchApi.as_view(), name="providers"),
    path("search/skills/", views.SkillSuggestionsApi.as_view(), name="skill-suggestions"),
    path(
        "tasks/<int:task_id>/recommended-providers/",
        views.RecommendedProvidersApi.as_view(),
        name="recommended-providers",
    ),
    path("me/matching-tasks/", views.MatchingTasksApi.as_view(), name="matching-tasks"),
    path("me/saved-searches/", views.SavedSearchCollectionApi.as_view(), name="saved-searches"),
    path(
        "me/saved-searches/<int:saved_search_id>/",
        views.SavedSearchDetailApi.as_view(),
        name="saved-search",
    ),
]
