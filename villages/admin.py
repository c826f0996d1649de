from django.contrib import admin
from django.urls import path
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm
from import_export.resources import ModelResource
from simple_history.admin import SimpleHistoryAdmin

from counties.admin import CityAdminOnly
from villages import access
from villages.imports.export import export_bytes
from villages.models import CountyQuota, Target, Village
from villages.views import imports


class VillageExportResource(ModelResource):
    """Names the export in django-import-export's export form; the file itself is villages.imports.export's."""

    class Meta:
        model = Village
        fields = ["code"]


@admin.register(Village)
class VillageAdmin(CityAdminOnly, ExportMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "township", "county", "tier", "programme_year", "status", "progress", "updated_at"]
    list_filter = ["county", "township__kind", "tier", "status", "programme_year", "location_source"]
    list_select_related = ["county", "township"]
    search_fields = ["code", "name", "short_name"]
    readonly_fields = ["code", "township", "county", "updated_at", "updated_by"]
    # A village leaves the registry by being withdrawn on its page (村庄撤并), never deleted: its updates,
    # photos and history stay, and it can be reinstated.
    list_per_page = 50
    import_export_change_list_template = "admin/villages/village/change_list.html"

    resource_classes = [VillageExportResource]
    export_form_class = ExportForm
    to_encoding = "utf-8-sig"  # CSV with a BOM, so that Excel opens it as UTF-8

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="villages_village_import"),
            path(
                "import/confirm/",
                self.admin_site.admin_view(imports.confirm_import),
                name="villages_village_import_confirm",
            ),
        ]
        return own + super().get_urls()

    def import_view(self, request):
        return imports.import_page(request, {**self.admin_site.each_context(request), "opts": self.opts})

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_import_permission": access.can_import_villages(request.user)}
        return super().changelist_view(request, extra_context)

    def get_export_formats(self):
        return [XLSX, CSV]

    def has_export_permission(self, request):
        return access.can_import_villages(request.user)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        return export_bytes(queryset, file_format.get_extension())

    def get_export_filename(self, request, queryset, file_format):
        return super().get_export_filename(request, queryset, file_format).replace("Village", "villages")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1  # an edit page opened before this save must not overwrite it
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Target)
class TargetAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["year", "tier", "kind", "count"]
    list_filter = ["kind", "tier"]


@admin.register(CountyQuota)
class CountyQuotaAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["year", "tier", "county", "count", "is_illustrative"]
    list_filter = ["year", "tier", "county", "is_illustrative"]
    list_select_related = ["county"]
