from django.urls import path

from villages.views import maps, overview

app_name = "villages"

urlpatterns = [
    path("", overview.home, name="home"),
    path("map/", maps.map_page, name="map"),
    path("map.png", maps.map_png, name="map_png"),
    path("api/villages.geojson", maps.api_villages, name="api_villages"),
    path("api/counties.geojson", maps.api_counties, name="api_counties"),
]
