import django.db.models.deletion
from django.db import migrations, models


def move_boundaries(apps, schema_editor):
    County = apps.get_model("counties", "County")
    CountyBoundary = apps.get_model("counties", "CountyBoundary")
    CountyBoundary.objects.bulk_create(
        CountyBoundary(county_id=code, geometry=boundary) for code, boundary in County.objects.values_list("code", "boundary")
    )


def restore_boundaries(apps, schema_editor):
    County = apps.get_model("counties", "County")
    CountyBoundary = apps.get_model("counties", "CountyBoundary")
    for county_id, geometry in CountyBoundary.objects.values_list("county_id", "geometry"):
        County.objects.filter(code=county_id).update(boundary=geometry)


class Migration(migrations.Migration):
    dependencies = [
        ("counties", "0002_pairings"),
    ]

    operations = [
        migrations.CreateModel(
            name="CountyBoundary",
            fields=[
                (
                    "county",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="boundary",
                        serialize=False,
                        to="counties.county",
                        verbose_name="county",
                    ),
                ),
                ("geometry", models.JSONField(verbose_name="boundary (GeoJSON, WGS84)")),
            ],
            options={
                "verbose_name": "county boundary",
                "verbose_name_plural": "county boundaries",
            },
        ),
        migrations.AlterField(
            model_name="county",
            name="boundary",
            field=models.JSONField(null=True, verbose_name="boundary (GeoJSON, WGS84)"),
        ),
        migrations.RunPython(move_boundaries, restore_boundaries),
        migrations.RemoveField(model_name="county", name="boundary"),
    ]
