"""The project pool in the admin: read-only, with each row's history. Projects, their funds and monthly figures
change on the project pages, through villages/projects/workflow.py (who may, which order, the version check), and
nowhere else."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from counties.admin import WithinScope
from villages.projects.models import FundReport, PerformanceIndicator, Project, ProjectFund


class ReadOnly(WithinScope):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FundInline(admin.TabularInline):
    model = ProjectFund
    fields = ["source", "pairing", "planned", "allocated", "spent", "reported_month"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class IndicatorInline(admin.TabularInline):
    model = PerformanceIndicator
    fields = ["level", "kind", "name", "target_value", "unit", "target_text", "actual_value", "actual_text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["name", "county", "township", "category", "year", "stage", "is_illustrative"]
    list_filter = ["year", "category", "stage", "is_illustrative", "county"]
    search_fields = ["name", "villages__name", "villages__code"]
    list_select_related = ["county", "township"]
    inlines = [FundInline, IndicatorInline]


@admin.register(ProjectFund)
class ProjectFundAdmin(ReadOnly, SimpleHistoryAdmin):
    scope = "project__county"
    list_display = ["project", "source", "planned", "allocated", "spent", "reported_month"]
    list_filter = ["source"]
    list_select_related = ["project"]
    search_fields = ["project__name"]


@admin.register(FundReport)
class FundReportAdmin(ReadOnly, SimpleHistoryAdmin):
    scope = "fund__project__county"
    list_display = ["fund", "month", "allocated", "spent", "recorded_by", "recorded_at"]
    list_filter = ["month"]
    list_select_related = ["fund__project", "recorded_by"]
    search_fields = ["fund__project__name"]
