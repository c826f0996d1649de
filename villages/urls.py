from django.urls import path

from villages.views import overview

app_name = "villages"

urlpatterns = [
    path("", overview.home, name="home"),
]
