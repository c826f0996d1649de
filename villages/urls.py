from django.urls import path

from villages.views import county, overview, pairings

app_name = "villages"

urlpatterns = [
    path("", overview.home, name="home"),
    path("dashboard.xlsx", overview.dashboard_xlsx, name="dashboard_xlsx"),
    path("counties/<str:code>/", county.detail, name="county"),
    path("pairings/", pairings.pairing_list, name="pairings"),
    path("pairings/new/", pairings.pairing_create, name="pairing_create"),
    path("pairings/<int:pk>/", pairings.pairing_detail, name="pairing"),
    path("pairings/<int:pk>/edit/", pairings.pairing_edit, name="pairing_edit"),
    path("pairings/<int:pk>/activities/new/", pairings.activity_create, name="activity_create"),
]
