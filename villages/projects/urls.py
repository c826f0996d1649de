from django.urls import path, re_path

from villages.projects import pool_views

app_name = "projects"

PLACE = r"(?P<code>[0-9]{9}|[0-9]{12})"

urlpatterns = [
    path("import/", pool_views.pool_import, name="pool_import"),
    path("import/confirm/", pool_views.pool_import_confirm, name="pool_import_confirm"),
    path("export.xlsx", pool_views.pool_export, name="pool_export"),
    re_path(rf"^notice/{PLACE}/$", pool_views.notice_page, name="notice"),
    re_path(rf"^notice/{PLACE}/notice\.docx$", pool_views.notice_document, {"kind": "docx"}, name="notice_docx"),
    re_path(rf"^notice/{PLACE}/notice\.pdf$", pool_views.notice_document, {"kind": "pdf"}, name="notice_pdf"),
]
