import copy

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import IGNORED_PARAMS
from django.db.models import Sum
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm
from import_export.resources import ModelResource
from simple_history.admin import SimpleHistoryAdmin

from counties.admin import CityAdminOnly, WithinScope
from villages import access
from villages.acceptance.scoring import format_points
from villages.imports.export import export_bytes
from villages.models import CountyQuota, Standard, StandardItem, Target, Village
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


@admin.register(Village)
class VillageAdmin(WithinScope, ExportOfTheListAsFiltered, SimpleHistoryAdmin):
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


class StandardItemInline(admin.TabularInline):
    model = StandardItem
    extra = 0
    fields = ["position", "category", "number", "point", "points", "guidance", "evidence_expected", "decisive"]

    def has_add_permission(self, request, obj=None):
        return access.can_manage_standards(request.user) and not (obj and obj.in_use())

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        return access.can_manage_standards(request.user)


@admin.register(Standard)
class StandardAdmin(CityAdminOnly, SimpleHistoryAdmin):
    """Standards are edited here; one in use by a submitted application is read-only, and
    "make a new version" copies it into one that can be changed (its reviews keep the old one)."""

    list_display = ["name", "tier", "year", "version", "pass_score", "total", "used"]
    list_filter = ["tier", "year"]
    fields = ["tier", "year", "version", "name", "pass_score", "total"]
    readonly_fields = ["total"]
    inlines = [StandardItemInline]
    actions = ["make_new_version"]
    change_list_template = "admin/villages/standard/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(points_total=Sum("items__points"))

    @admin.display(description=gettext_lazy("total points"))
    def total(self, standard):
        return format_points(getattr(standard, "points_total", None) or standard.total_points)

    @admin.display(description=gettext_lazy("in use"), boolean=True)
    def used(self, standard):
        return standard.in_use()

    def has_add_permission(self, request, *args):
        return access.can_manage_standards(request.user)

    def has_change_permission(self, request, obj=None):
        return access.can_manage_standards(request.user) and not (obj and obj.in_use())

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        standard = form.instance
        if standard.pass_score > standard.total_points:
            self.message_user(
                request,
                _("The pass score %(pass)s is above the total of the items, %(total)s.")
                % {"pass": format_points(standard.pass_score), "total": format_points(standard.total_points)},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Make a new version (to change a standard in use)"))
    def make_new_version(self, request, queryset):
        for standard in queryset:
            copy = standard.new_version(request.user)
            self.message_user(request, _("%(standard)s made: it can be changed.") % {"standard": copy})

    def get_urls(self):
        own = [path("import/", self.admin_site.admin_view(self.import_view), name="villages_standard_import")]
        return own + super().get_urls()

    def import_view(self, request):
        return imports.standard_import_page(request, {**self.admin_site.each_context(request), "opts": self.opts})
