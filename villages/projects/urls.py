from django.urls import path, re_path

from villages.projects import pool_views, views

app_name = "projects"

PLACE = r"(?P<code>[0-9]{9}|[0-9]{12})"

urlpatterns = [
    path("", views.project_list, name="list"),
    re_path(r"^new/(?P<code>[0-9]{12})/$", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/move/", views.project_move, name="move"),
    path("<int:pk>/funds/", views.project_funds, name="funds"),
    path("<int:pk>/funds/<int:fund_pk>/figures/", views.fund_figures, name="figures"),
    path("<int:pk>/indicators/", views.project_indicators, name="indicators"),
    path("import/", pool_views.pool_import, name="pool_import"),
    path("import/confirm/", pool_views.pool_import_confirm, name="pool_import_confirm"),
    path("export.xlsx", pool_views.pool_export, name="pool_export"),
    re_path(rf"^notice/{PLACE}/$", pool_views.notice_page, name="notice"),
    re_path(rf"^notice/{PLACE}/notice\.docx$", pool_views.notice_document, {"kind": "docx"}, name="notice_docx"),
    re_path(rf"^notice/{PLACE}/notice\.pdf$", pool_views.notice_document, {"kind": "pdf"}, name="notice_pdf"),
]
