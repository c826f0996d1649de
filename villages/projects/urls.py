from django.urls import path, re_path

from villages.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    re_path(r"^new/(?P<code>[0-9]{12})/$", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/move/", views.project_move, name="move"),
    path("<int:pk>/funds/", views.project_funds, name="funds"),
    path("<int:pk>/funds/<int:fund_pk>/figures/", views.fund_figures, name="figures"),
    path("<int:pk>/indicators/", views.project_indicators, name="indicators"),
]
