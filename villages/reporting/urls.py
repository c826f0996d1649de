from django.urls import path, re_path

from villages.reporting import views

app_name = "reporting"

KEY = r"(?P<key>[0-9]{4}-[0-9a-z-]{1,20})"

urlpatterns = [
    path("", views.period_list, name="periods"),
    path("notices/", views.notices, name="notices"),
    path("notices/read/", views.notices_read, name="notices_read"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice_read"),
    re_path(rf"^{KEY}/$", views.period_detail, name="period"),
    re_path(rf"^{KEY}/cities/(?P<code>[0-9]{{4}})/$", views.period_city, name="period_city"),
    re_path(rf"^{KEY}/villages/(?P<code>[0-9]{{12}})/no-change/$", views.no_change, name="no_change"),
    re_path(rf"^{KEY}/counties/(?P<code>[0-9]{{6}})/urge/$", views.urge, name="urge"),
    re_path(rf"^{KEY}/issue/$", views.issue, name="issue"),
    re_path(rf"^{KEY}/bulletin\.docx$", views.bulletin_docx, name="bulletin_docx"),
    re_path(rf"^{KEY}/bulletin\.xlsx$", views.bulletin_xlsx, name="bulletin_xlsx"),
]
