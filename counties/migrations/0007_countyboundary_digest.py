import hashlib
import json

from django.db import migrations, models


def digest_every_boundary(apps, schema_editor):
    # As CountyBoundary.digest_of, which a migration cannot import.
    CountyBoundary = apps.get_model("counties", "CountyBoundary")
    boundaries = list(CountyBoundary.objects.all())
    for boundary in boundaries:
        text = json.dumps(boundary.geometry, sort_keys=True, separators=(",", ":"))
        boundary.digest = hashlib.sha256(text.encode()).hexdigest()
    CountyBoundary.objects.bulk_update(boundaries, ["digest"], batch_size=100)


class Migration(migrations.Migration):
    dependencies = [
        ("counties", "0006_roles_by_scope"),
    ]

    operations = [
        migrations.AddField(
            model_name="countyboundary",
            name="digest",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="digest of the boundary"),
            preserve_default=False,
        ),
        migrations.RunPython(digest_every_boundary, migrations.RunPython.noop),
    ]
