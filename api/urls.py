from django.urls import path

from api.ogc import views as ogc
from api.views import data, downloads, tokens

app_name = "api"

urlpatterns = [
    path("accounts/tokens/", tokens.my_tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", tokens.revoke, name="revoke_token"),
    path("tokens/", tokens.city_tokens, name="city_tokens"),
    path("data/", data.data_page, name="data"),
    path("downloads/gis.gpkg", downloads.geopackage_file, name="geopackage"),
    path("ogc/", ogc.landing, name="ogc_landing"),
    path("ogc/conformance", ogc.conformance, name="ogc_conformance"),
    path("ogc/api", ogc.openapi, name="ogc_openapi"),
    path("ogc/collections", ogc.collections, name="ogc_collections"),
    path("ogc/collections/<str:collection_id>", ogc.collection, name="ogc_collection"),
    path("ogc/collections/<str:collection_id>/items", ogc.items, name="ogc_items"),
    path("ogc/collections/<str:collection_id>/items/<str:feature_id>", ogc.item, name="ogc_item"),
]
