from django.urls import path, re_path

from villages.models import LocationSource
from villages.views import acceptance, county, dashboard, imports, maps, offline, pairings, photos, sync, village

app_name = "villages"

CODE = r"(?P<code>[0-9]{12})"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("villages/", village.village_list, name="list"),
    path("villages/deleted/", village.withdrawn_villages, name="withdrawn"),
    re_path(rf"^villages/{CODE}/$", village.village_detail, name="detail"),
    re_path(rf"^villages/{CODE}/edit/$", village.village_edit, name="edit"),
    re_path(rf"^villages/{CODE}/updates/new/$", village.update_new, name="update_new"),
    re_path(rf"^villages/{CODE}/accept/$", village.review, {"action": "accept"}, name="accept"),
    re_path(rf"^villages/{CODE}/return/$", village.review, {"action": "return"}, name="return"),
    re_path(rf"^villages/{CODE}/withdraw/$", village.review, {"action": "withdraw"}, name="withdraw"),
    re_path(rf"^villages/{CODE}/reinstate/$", village.review, {"action": "reinstate"}, name="reinstate"),
    re_path(rf"^villages/{CODE}/acceptance/apply/$", acceptance.apply, name="apply"),
    re_path(rf"^villages/{CODE}/acceptance/review/$", acceptance.review, name="review"),
    re_path(rf"^villages/{CODE}/acceptance/(?P<number>[0-9]+)/$", acceptance.round_detail, name="acceptance_round"),
    re_path(
        rf"^villages/{CODE}/acceptance/(?P<number>[0-9]+)/record\.docx$", acceptance.record, name="acceptance_record"
    ),
    path("evidence/<int:pk>/", acceptance.evidence_file, name="evidence"),
    re_path(
        rf"^villages/{CODE}/location/photo/(?P<pk>[0-9]+)/$",
        village.take_location,
        {"source": LocationSource.PHOTO},
        name="location_from_photo",
    ),
    re_path(
        rf"^villages/{CODE}/location/phone/(?P<pk>[0-9]+)/$",
        village.take_location,
        {"source": LocationSource.DEVICE},
        name="location_from_phone",
    ),
    re_path(rf"^api/villages/{CODE}/updates/$", sync.send_update, name="api_update"),
    path("photos/<int:pk>/", photos.photo, name="photo"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("offline/", offline.offline_page, name="offline"),
    path("offline/copy.json", offline.offline_copy, name="offline_copy"),
    path("offline/pages.json", offline.offline_pages, name="offline_pages"),
    path("offline/fallback/", offline.fallback, name="offline_fallback"),
    path("dashboard.xlsx", dashboard.dashboard_xlsx, name="dashboard_xlsx"),
    path("cities/<str:code>/", dashboard.city, name="city"),
    path("cities/<str:code>/dashboard.xlsx", dashboard.city_xlsx, name="city_xlsx"),
    path("counties/<str:code>/", county.detail, name="county"),
    path("counties/<str:code>/updates/", county.updates, name="county_updates"),
    path("pairings/", pairings.pairing_list, name="pairings"),
    path("pairings/new/", pairings.pairing_create, name="pairing_create"),
    path("pairings/<int:pk>/", pairings.pairing_detail, name="pairing"),
    path("pairings/<int:pk>/edit/", pairings.pairing_edit, name="pairing_edit"),
    path("pairings/<int:pk>/activities/new/", pairings.activity_create, name="activity_create"),
    path("map/", maps.map_page, name="map"),
    path("map.png", maps.map_png, name="map_png"),
    path("api/villages.geojson", maps.api_villages, name="api_villages"),
    path("api/counties.geojson", maps.api_counties, name="api_counties"),
    path("villages/import-template.xlsx", imports.import_template, name="import_template"),
]
