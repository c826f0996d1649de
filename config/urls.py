from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from config.views import favicon
from villages.views.offline import LogoutView

urlpatterns = [
    path("", include("villages.urls")),
    path("", include("villages.acceptance.urls")),
    path("projects/", include("villages.projects.urls")),
    path("reporting/", include("villages.reporting.urls")),
    path("", include("api.urls")),
    path("api/v1/", include("api.v1_urls", namespace="v1")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("help/", include("config.help")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
