from django.contrib import admin, messages
from django.db.models import Sum
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from counties.admin import CityAdminOnly
from villages.acceptance import access
from villages.acceptance.forms import StandardImportForm
from villages.acceptance.models import Standard, StandardItem
from villages.acceptance.scoring import format_points
from villages.acceptance.standard_file import import_standard


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

    list_display = ["name", "tier", "year", "version", "pass_score", "total", "used", "is_illustrative"]
    list_filter = ["tier", "year", "is_illustrative"]
    fields = ["tier", "year", "version", "name", "pass_score", "total", "is_illustrative"]
    readonly_fields = ["total"]
    inlines = [StandardItemInline]
    actions = ["make_new_version"]
    change_list_template = "admin/acceptance/standard/change_list.html"

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
        own = [path("import/", self.admin_site.admin_view(self.import_view), name="acceptance_standard_import")]
        return own + super().get_urls()

    def import_view(self, request):
        return standard_import_page(request, {**self.admin_site.each_context(request), "opts": self.opts})


def standard_import_page(request, admin_context):
    """An acceptance standard from the city's spreadsheet: written at once when it is correct, else every problem."""
    access.check_manage_standards(request.user)
    form = StandardImportForm(request.POST or None, request.FILES or None)
    context = {**admin_context, "title": _("Import an acceptance standard"), "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = import_standard(
            data["file"].read(),
            data["file"].name,
            data["tier"],
            data["year"],
            data["pass_score"],
            request.user,
            name=data["name"],
        )
        if outcome.ok:
            messages.success(request, outcome.summary())
            return redirect("admin:acceptance_standard_change", outcome.standard.pk)
        context["problems"] = outcome.problems
    return TemplateResponse(request, "admin/acceptance/standard/import.html", context)
