from django.urls import path, re_path

from villages.acceptance import views

app_name = "acceptance"

CODE = r"(?P<code>[0-9]{12})"

urlpatterns = [
    re_path(rf"^villages/{CODE}/acceptance/apply/$", views.apply, name="apply"),
    re_path(rf"^villages/{CODE}/acceptance/review/$", views.review, name="review"),
    re_path(rf"^villages/{CODE}/acceptance/(?P<number>[0-9]+)/$", views.round_detail, name="round"),
    re_path(rf"^villages/{CODE}/acceptance/(?P<number>[0-9]+)/record\.docx$", views.record, name="record"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
]
