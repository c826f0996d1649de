from django.urls import path, re_path

from villages.views import overview, photos, village

app_name = "villages"

CODE = r"(?P<code>[0-9]{12})"

urlpatterns = [
    path("", overview.home, name="home"),
    path("villages/", village.village_list, name="list"),
    path("villages/deleted/", village.deleted_villages, name="deleted"),
    re_path(rf"^villages/{CODE}/$", village.village_detail, name="detail"),
    re_path(rf"^villages/{CODE}/edit/$", village.village_edit, name="edit"),
    re_path(rf"^villages/{CODE}/updates/new/$", village.update_new, name="update_new"),
    re_path(rf"^villages/{CODE}/accept/$", village.accept, name="accept"),
    re_path(rf"^villages/{CODE}/return/$", village.return_village, name="return"),
    path("photos/<int:pk>/", photos.photo, name="photo"),
]
