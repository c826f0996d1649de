from django.urls import path

from villages.views import overview, transfer

app_name = "villages"

urlpatterns = [
    path("", overview.home, name="home"),
    path("villages/import-template.xlsx", transfer.import_template, name="import_template"),
]
