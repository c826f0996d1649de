from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm
from simple_history.admin import SimpleHistoryAdmin

from counties.admin import CityAdminOnly
from counties.coords import CoordinateSystem
from counties.permissions import can_import_villages, is_city_admin
from villages.exporting import export_bytes
from villages.models import CountyQuota, Target, Village
from villages.resources import FORMATS, VillageResource

ENCODINGS = [("", gettext_lazy("detect automatically")), ("utf-8", "UTF-8"), ("gb18030", "GBK / GB18030")]


class VillageImportForm(ImportForm):
    crs = forms.ChoiceField(
        label=gettext_lazy("Coordinate system"),
        choices=CoordinateSystem.choices,
        initial=CoordinateSystem.WGS84,
        help_text=gettext_lazy("Of rows whose 坐标系 cell is empty."),
    )
    encoding = forms.ChoiceField(label=gettext_lazy("Encoding (CSV only)"), choices=ENCODINGS, required=False)


class VillageConfirmImportForm(ConfirmImportForm):
    crs = forms.ChoiceField(choices=CoordinateSystem.choices, widget=forms.HiddenInput)
    encoding = forms.ChoiceField(choices=ENCODINGS, required=False, widget=forms.HiddenInput)


@admin.register(Village)
class VillageAdmin(CityAdminOnly, ImportExportMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "township", "county", "tier", "programme_year", "status", "progress", "updated_at"]
    list_filter = ["county", "township__kind", "tier", "status", "programme_year", "location_source"]
    list_select_related = ["county", "township"]
    search_fields = ["code", "name", "short_name"]
    readonly_fields = ["code", "township", "county", "updated_at", "updated_by"]
    list_per_page = 50

    resource_classes = [VillageResource]
    import_form_class = VillageImportForm
    confirm_form_class = VillageConfirmImportForm
    export_form_class = ExportForm
    import_template_name = "admin/villages/village/import.html"
    skip_admin_log = True  # every imported change is in the village history, with the user and the file name

    def get_import_formats(self):
        return FORMATS

    def get_export_formats(self):
        return FORMATS

    def has_import_permission(self, request):
        return can_import_villages(request.user)

    def has_export_permission(self, request):
        return is_city_admin(request.user)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial.update(crs=import_form.cleaned_data["crs"], encoding=import_form.cleaned_data["encoding"])
        return initial

    def get_import_data_kwargs(self, request=None, form=None, **kwargs):
        return {"crs": form.cleaned_data["crs"], "encoding": form.cleaned_data["encoding"]} if form else {}

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        return export_bytes(queryset, file_format.get_extension())

    def get_export_filename(self, request, queryset, file_format):
        return super().get_export_filename(request, queryset, file_format).replace("Village", "villages")

    def process_result(self, result, request):
        village_import = result.village_import
        if not village_import.ok:
            # The file changed, or the villages did, between the preview and the confirmation.
            messages.error(request, _("Nothing was imported: %(problems)s") % {"problems": "; ".join(map(str, village_import.problems))})
            return redirect("admin:villages_village_import")
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        village_import = result.village_import
        messages.success(
            request,
            _("Imported %(name)s: %(changed)d villages changed, %(unchanged)d unchanged.")
            % {"name": village_import.filename, "changed": village_import.changed, "unchanged": village_import.unchanged},
        )

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
