"""The read API's URLs, included by config/urls.py under the namespace "v1" that django-ninja reverses its own
URLs in (/api/v1/openapi.json for the docs page)."""

from api.v1 import api

urlpatterns, app_name, _namespace = api.urls
