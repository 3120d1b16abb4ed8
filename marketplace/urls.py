from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from marketplace.api_errors import api_not_found
from marketplace.bench_views import EmptyApi, empty_view

admin.site.index_title = _("Moderation, verification and finance")

api_v1: list[URLPattern | URLResolver] = [
    path("", include("accounts.api.urls")),
    path("", include("tasks.api.urls")),
    path("", include("bids.api.urls")),
    path("", include("contracts.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("reputation.urls")),
    path("", include("disputes.api.urls")),
    path("", include("contests.api.urls")),
    path("", include("piecework.api.urls")),
    path("", include("search.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # The benchmark's floors (bench/hotpaths.py): only when BENCH_FLOORS is set.
    *([path("bench/empty/", EmptyApi.as_view())] if settings.BENCH_FLOORS else []),
    # Last: a path no operation matches is a 404 with the API's error body, not an HTML page.
    re_path(r"^.*$", api_not_found),
]

urlpatterns: list[URLPattern | URLResolver] = [
    *([path("bench/empty/", empty_view)] if settings.BENCH_FLOORS else []),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("payments/", include("payments.urls")),
    path("pictures/", include("accounts.urls")),
    path("", include("frontend.urls")),
]

# The designed pages (frontend/templates/4xx.html, 500.html); a page's 405 is
# frontend.middleware.PageErrorMiddleware's.
handler403 = "frontend.views.errors.permission_denied"
handler404 = "frontend.views.errors.page_not_found"
handler500 = "frontend.views.errors.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
