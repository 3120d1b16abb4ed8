from django.urls import path

from accounts import pictures

app_name = "pictures"

urlpatterns = [
    path("u/<int:user_id>/<str:name>", pictures.user_picture, name="user"),
    path("o/<int:organization_id>/<str:name>", pictures.organization_picture, name="organization"),
    path("portfolio/<int:file_id>/<str:variant>", pictures.portfolio_file, name="portfolio"),
]
