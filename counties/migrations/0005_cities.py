import django.db.models.deletion
import django.db.models.lookups
from django.db import migrations, models

# Before cities existed the registry was 晋中's alone; its counties' cities and province are known.
KNOWN_CITIES = {"1407": "晋中市"}
KNOWN_PROVINCES = {"14": "山西省"}


def place_counties_in_cities(apps, schema_editor):
    Province = apps.get_model("counties", "Province")
    City = apps.get_model("counties", "City")
    County = apps.get_model("counties", "County")
    for code in sorted({code[:4] for code in County.objects.values_list("code", flat=True)}):
        province, _ = Province.objects.get_or_create(code=code[:2], defaults={"name": KNOWN_PROVINCES.get(code[:2], code[:2])})
        City.objects.get_or_create(code=code, defaults={"name": KNOWN_CITIES.get(code, code), "province": province})
    for county in County.objects.all():
        county.city_id = county.code[:4]
        county.save(update_fields=["city"])


class Migration(migrations.Migration):
    dependencies = [
        ("counties", "0004_one_word_per_idea"),
    ]

    operations = [
        migrations.CreateModel(
            name="Province",
            fields=[
                ("code", models.CharField(max_length=2, primary_key=True, serialize=False, verbose_name="code")),
                ("name", models.CharField(max_length=50, unique=True, verbose_name="name")),
            ],
            options={"verbose_name": "province", "verbose_name_plural": "provinces", "ordering": ["code"]},
        ),
        migrations.CreateModel(
            name="City",
            fields=[
                ("code", models.CharField(max_length=4, primary_key=True, serialize=False, verbose_name="code")),
                ("name", models.CharField(max_length=50, verbose_name="name")),
                (
                    "province",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cities",
                        to="counties.province",
                        verbose_name="province",
                    ),
                ),
            ],
            options={"verbose_name": "city", "verbose_name_plural": "cities", "ordering": ["code"]},
        ),
        migrations.AddConstraint(
            model_name="province",
            constraint=models.CheckConstraint(condition=models.Q(("code__regex", "^[0-9]{2}$")), name="province_code_2_digits"),
        ),
        migrations.AddConstraint(
            model_name="city",
            constraint=models.CheckConstraint(condition=models.Q(("code__regex", "^[0-9]{4}$")), name="city_code_4_digits"),
        ),
        migrations.AddConstraint(
            model_name="city",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.StartsWith(models.F("code"), models.F("province_id")),
                name="city_code_within_province",
            ),
        ),
        migrations.AddConstraint(
            model_name="city",
            constraint=models.UniqueConstraint(fields=("province", "name"), name="city_name_unique_in_province"),
        ),
        migrations.AddField(
            model_name="county",
            name="city",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="counties",
                to="counties.city",
                verbose_name="city",
            ),
        ),
        migrations.RunPython(place_counties_in_cities, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="county",
            name="city",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="counties",
                to="counties.city",
                verbose_name="city",
            ),
        ),
        migrations.AlterField(
            model_name="county",
            name="name",
            field=models.CharField(max_length=50, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="county",
            name="label_lat",
            field=models.FloatField(blank=True, null=True, verbose_name="label latitude"),
        ),
        migrations.AlterField(
            model_name="county",
            name="label_lon",
            field=models.FloatField(blank=True, null=True, verbose_name="label longitude"),
        ),
        migrations.AddConstraint(
            model_name="county",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.StartsWith(models.F("code"), models.F("city_id")),
                name="county_code_within_city",
            ),
        ),
        migrations.AddConstraint(
            model_name="county",
            constraint=models.UniqueConstraint(fields=("city", "name"), name="county_name_unique_in_city"),
        ),
    ]
