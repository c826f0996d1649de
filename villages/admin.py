import copy

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import IGNORED_PARAMS
from django.http import QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm
from import_export.resources import ModelResource
from simple_history.admin import SimpleHistoryAdmin

from counties.admin import WithinScope
from villages import access, workflow
from villages.imports.export import export_bytes
from villages.models import PROGRAMME_FIELDS, CountyQuota, Target, Village
from villages.views import imports


class VillageExportResource(ModelResource):
    """Names the export in django-import-export's export form; the file itself is villages.imports.export's."""

    class Meta:
        model = Village
        fields = ["code"]


class ExportOfTheListAsFiltered(ExportMixin):
    """The export exports the village list as its link filters it. A link with a filter the list does not know
    (edited, or from an older version) is answered 400 naming that filter: exporting every village instead
    would not be what was asked for."""

    def export_action(self, request):
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            pass
        unknown = [key for key in request.GET if key not in IGNORED_PARAMS and not self.filters_by(request, key)]
        kept = request.GET.copy()
        for key in unknown:
            del kept[key]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("The export was not made"),
            "unknown": [f"{key}={value}" for key in unknown for value in request.GET.getlist(key)],
            "kept": kept.urlencode(),
        }
        return TemplateResponse(request, "admin/villages/village/export_refused.html", context, status=400)

    def filters_by(self, request, key):
        """Whether the list can be filtered by `key` (with the link's values) alone."""
        alone = copy.copy(request)
        alone.GET = QueryDict(mutable=True)
        alone.GET.setlist(key, request.GET.getlist(key))
        try:
            self.get_export_queryset(alone)
        except IncorrectLookupParameters:
            return False
        return True


class VillageAdminForm(forms.ModelForm):
    """The admin's village form: the version it was opened on travels with it, so that a save refuses to overwrite
    a change made meanwhile (on the village page, by an import, on a phone)."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Village
        fields = [name for name in PROGRAMME_FIELDS if name not in ("status", "progress")]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("opened_version", self.instance.version)


@admin.register(Village)
class VillageAdmin(WithinScope, ExportOfTheListAsFiltered, SimpleHistoryAdmin):
    """Villages come from the registry (load_registry) and leave it by being withdrawn on their page (村庄撤并),
    never added or deleted here; their names are the registry's. A save goes through villages.workflow like the
    edit page. The status, progress, acceptance and return move only on the village's own pages, and a location
    is set on its edit page (with its coordinate system and county check), so the admin shows them read-only."""

    form = VillageAdminForm
    list_display = ["code", "name", "county", "township", "tier", "programme_year", "status", "progress", "last_change"]
    list_filter = ["county", "township__kind", "tier", "status", "programme_year", "location_source"]
    list_select_related = ["county", "township"]
    search_fields = ["code", "name", "short_name"]
    readonly_fields = [
        "code",
        "name",
        "short_name",
        "township",
        "county",
        "status",
        "progress",
        "accepted_at",
        "return_reason",
        "lat",
        "lon",
        "location_source",
        "updated_at",
        "updated_by",
    ]
    list_per_page = 50
    import_export_change_list_template = "admin/villages/village/change_list.html"

    resource_classes = [VillageExportResource]
    export_form_class = ExportForm
    to_encoding = "utf-8-sig"  # CSV with a BOM, so that Excel opens it as UTF-8

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description=gettext_lazy("last updated"), ordering="updated_at")
    def last_change(self, village):
        return timezone.localtime(village.updated_at).strftime("%Y-%m-%d")

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="villages_village_import"),
            path(
                "import/confirm/",
                self.admin_site.admin_view(imports.confirm_import),
                name="villages_village_import_confirm",
            ),
            path(
                "import/result/<str:token>/",
                self.admin_site.admin_view(self.import_result_view),
                name="villages_village_import_result",
            ),
            path(
                "import/problems/<str:token>/",
                self.admin_site.admin_view(imports.download_problem_list),
                name="villages_village_import_problems",
            ),
        ]
        return own + super().get_urls()

    def import_view(self, request):
        return imports.import_page(request, {**self.admin_site.each_context(request), "opts": self.opts})

    def import_result_view(self, request, token):
        return imports.import_result(request, token, {**self.admin_site.each_context(request), "opts": self.opts})

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_import_permission": access.can_import_villages(request.user)}
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except workflow.Refused as refusal:  # the admin's transaction is rolled back: nothing was saved
            self.message_user(request, str(refusal), messages.ERROR)
            return redirect(request.path)

    def get_export_formats(self):
        return [XLSX, CSV]

    def has_export_permission(self, request):
        return access.can_import_villages(request.user)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        return export_bytes(queryset, file_format.get_extension())

    def get_export_filename(self, request, queryset, file_format):
        return super().get_export_filename(request, queryset, file_format).replace("Village", "villages")

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in workflow.EDITABLE}
        workflow.edit(obj, request.user, form.cleaned_data["opened_version"], changes, reason="admin")


@admin.register(Target)
class TargetAdmin(WithinScope, SimpleHistoryAdmin):
    scope = "city"
    scope_is_city = True
    list_display = ["city", "year", "tier", "kind", "count"]
    list_filter = ["city", "kind", "tier"]


@admin.register(CountyQuota)
class CountyQuotaAdmin(WithinScope, SimpleHistoryAdmin):
    list_display = ["year", "tier", "county", "count", "is_illustrative"]
    list_filter = ["year", "tier", "county", "is_illustrative"]
    list_select_related = ["county"]
