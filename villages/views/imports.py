"""Importing village lists in the admin (upload, preview, confirm) and the import template.

The admin pages run the same importer as `manage.py import_villages`; the upload waits for its
confirmation in villages.imports.pending under a name the app chose.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villages import access
from villages.forms import ImportConfirmForm, VillageImportForm
from villages.imports import pending
from villages.imports.export import XLSX_CONTENT_TYPE, template_bytes
from villages.imports.importer import import_villages
from villages.imports.preview import preview

CHANGELIST = "admin:villages_village_changelist"
IMPORT_PAGE = "admin:villages_village_import"


def import_page(request, admin_context):
    """Upload → a dry run of the whole file, shown row by row; nothing is written."""
    access.check_import_villages(request.user)
    form = VillageImportForm(request.POST or None, request.FILES or None)
    context = {**admin_context, "title": _("Import villages"), "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        options = {"crs": form.cleaned_data["crs"], "encoding": form.cleaned_data["encoding"] or None}
        result = import_villages(content, upload.name, request.user, dry_run=True, **options)
        context["result"] = result
        if result.ok:
            context["headings"], context["rows"] = preview(result)
            if result.changed:
                token = pending.store(content, upload.name, request.user, options)
                context["confirm_form"] = ImportConfirmForm(initial={"token": token})
    return TemplateResponse(request, "admin/villages/village/import.html", context)


@require_POST
def confirm_import(request):
    """The stored upload, checked again against the database as it is now, and written if still correct."""
    access.check_import_villages(request.user)
    form = ImportConfirmForm(request.POST)
    stored = pending.load(form.cleaned_data["token"], request.user) if form.is_valid() else None
    if stored is None:
        messages.error(request, _("This preview has expired or does not exist; upload the file again."))
        return redirect(IMPORT_PAGE)
    result = import_villages(stored.content, stored.filename, request.user, **stored.options)
    pending.discard(stored.token)
    if not result.ok:
        # The villages changed between the preview and the confirmation.
        messages.error(
            request, _("Nothing was imported: %(problems)s") % {"problems": "; ".join(map(str, result.problems))}
        )
        return redirect(IMPORT_PAGE)
    messages.success(
        request,
        _("Imported %(name)s: %(changed)d villages changed, %(unchanged)d unchanged.")
        % {"name": result.filename, "changed": result.changed, "unchanged": result.unchanged},
    )
    return redirect(CHANGELIST)


@login_required
def import_template(request):
    access.check_import_villages(request.user)
    response = HttpResponse(template_bytes(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="village-import-template.xlsx"'
    return response
