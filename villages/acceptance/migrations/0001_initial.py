import django.core.validators
import django.db.models.deletion
import simple_history.models
import villages.acceptance.models
from django.conf import settings
from django.db import migrations, models


MODELS = [
    "application",
    "evidence",
    "review",
    "reviewscore",
    "selfscore",
    "standard",
    "standarditem",
]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    names = MODELS + [f"historical{name}" for name in MODELS]
    taken = ContentType.objects.filter(app_label="acceptance").values_list("model", flat=True)
    moving = ContentType.objects.filter(app_label="villages", model__in=names).exclude(model__in=list(taken))
    moving.update(app_label="acceptance")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("villages", "0011_acceptance_moves_to_its_own_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Models that were the villages app's until villages 0011: the state takes over their tables as they are (the
    # next migration renames them), and their content types keep their ids, so permissions stay.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Application",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveSmallIntegerField(verbose_name="round")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "draft"),
                                    ("submitted", "submitted, awaiting review (待复核)"),
                                    ("returned", "returned (退回)"),
                                    ("accepted", "accepted (验收通过)"),
                                ],
                                default="draft",
                                max_length=10,
                                verbose_name="state",
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=1, editable=False, verbose_name="version")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="last updated at")),
                        ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="submitted at")),
                        (
                            "submitted_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="submitted by",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="updated by",
                            ),
                        ),
                        (
                            "village",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="applications",
                                to="villages.village",
                                verbose_name="village",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_application",
                        "verbose_name": "application for acceptance",
                        "verbose_name_plural": "applications for acceptance",
                        "ordering": ["village", "number"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalReview",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "total",
                            models.DecimalField(
                                blank=True, decimal_places=1, max_digits=7, null=True, verbose_name="total"
                            ),
                        ),
                        ("comment", models.TextField(blank=True, verbose_name="overall comment")),
                        (
                            "decision",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "not decided yet"),
                                    ("accepted", "accepted (验收通过)"),
                                    ("returned", "returned (退回)"),
                                ],
                                default="",
                                max_length=10,
                                verbose_name="decision",
                            ),
                        ),
                        ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided at")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "application",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="acceptance.application",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "reviewer",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="reviewer",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_historicalreview",
                        "verbose_name": "historical review",
                        "verbose_name_plural": "historical reviews",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalStandard",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "tier",
                            models.CharField(
                                choices=[
                                    ("upgraded", "upgraded village (提档升级村)"),
                                    ("showcase", "showcase village (精品示范村)"),
                                ],
                                max_length=10,
                                verbose_name="tier",
                            ),
                        ),
                        (
                            "year",
                            models.PositiveSmallIntegerField(
                                validators=[
                                    django.core.validators.MinValueValidator(2018),
                                    django.core.validators.MaxValueValidator(2035),
                                ],
                                verbose_name="programme year",
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        (
                            "pass_score",
                            models.DecimalField(
                                decimal_places=1,
                                help_text="Set by the city.",
                                max_digits=6,
                                validators=[django.core.validators.MinValueValidator(0)],
                                verbose_name="pass score",
                            ),
                        ),
                        ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="created at")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_historicalstandard",
                        "verbose_name": "historical acceptance standard",
                        "verbose_name_plural": "historical acceptance standards",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Review",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=1, editable=False, verbose_name="version")),
                        (
                            "total",
                            models.DecimalField(
                                blank=True, decimal_places=1, max_digits=7, null=True, verbose_name="total"
                            ),
                        ),
                        ("comment", models.TextField(blank=True, verbose_name="overall comment")),
                        (
                            "decision",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "not decided yet"),
                                    ("accepted", "accepted (验收通过)"),
                                    ("returned", "returned (退回)"),
                                ],
                                default="",
                                max_length=10,
                                verbose_name="decision",
                            ),
                        ),
                        ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided at")),
                        (
                            "application",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="review",
                                to="acceptance.application",
                            ),
                        ),
                        (
                            "reviewer",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="reviewer",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_review",
                        "verbose_name": "review",
                        "verbose_name_plural": "reviews",
                    },
                ),
                migrations.CreateModel(
                    name="SelfScore",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "score",
                            models.DecimalField(
                                blank=True, decimal_places=1, max_digits=6, null=True, verbose_name="self-score"
                            ),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                        (
                            "application",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="self_scores",
                                to="acceptance.application",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_selfscore",
                        "verbose_name": "self-score",
                        "verbose_name_plural": "self-scores",
                        "ordering": ["item__position", "item_id"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalEvidence",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("file", models.TextField(max_length=200, verbose_name="file")),
                        ("name", models.CharField(max_length=255, verbose_name="file name")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("photo", "photo"),
                                    ("pdf", "PDF"),
                                    ("docx", "Word document (DOCX)"),
                                    ("xlsx", "Excel workbook (XLSX)"),
                                ],
                                max_length=5,
                                verbose_name="kind",
                            ),
                        ),
                        ("size", models.PositiveIntegerField(verbose_name="size (bytes)")),
                        ("uploaded_at", models.DateTimeField(blank=True, editable=False, verbose_name="uploaded at")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "self_score",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="acceptance.selfscore",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_historicalevidence",
                        "verbose_name": "historical evidence file",
                        "verbose_name_plural": "historical evidence files",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Evidence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "file",
                            models.FileField(
                                max_length=200,
                                upload_to=villages.acceptance.models.random_evidence_name,
                                verbose_name="file",
                            ),
                        ),
                        ("name", models.CharField(max_length=255, verbose_name="file name")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("photo", "photo"),
                                    ("pdf", "PDF"),
                                    ("docx", "Word document (DOCX)"),
                                    ("xlsx", "Excel workbook (XLSX)"),
                                ],
                                max_length=5,
                                verbose_name="kind",
                            ),
                        ),
                        ("size", models.PositiveIntegerField(verbose_name="size (bytes)")),
                        ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded at")),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "self_score",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="evidence",
                                to="acceptance.selfscore",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_evidence",
                        "verbose_name": "evidence file",
                        "verbose_name_plural": "evidence files",
                        "ordering": ["id"],
                    },
                ),
                migrations.CreateModel(
                    name="Standard",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "tier",
                            models.CharField(
                                choices=[
                                    ("upgraded", "upgraded village (提档升级村)"),
                                    ("showcase", "showcase village (精品示范村)"),
                                ],
                                max_length=10,
                                verbose_name="tier",
                            ),
                        ),
                        (
                            "year",
                            models.PositiveSmallIntegerField(
                                validators=[
                                    django.core.validators.MinValueValidator(2018),
                                    django.core.validators.MaxValueValidator(2035),
                                ],
                                verbose_name="programme year",
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        (
                            "pass_score",
                            models.DecimalField(
                                decimal_places=1,
                                help_text="Set by the city.",
                                max_digits=6,
                                validators=[django.core.validators.MinValueValidator(0)],
                                verbose_name="pass score",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_standard",
                        "verbose_name": "acceptance standard",
                        "verbose_name_plural": "acceptance standards",
                        "ordering": ["-year", "tier", "-version"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalStandardItem",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                        ("category", models.CharField(max_length=100, verbose_name="category (考核内容)")),
                        ("number", models.CharField(max_length=20, verbose_name="number (序号)")),
                        ("point", models.TextField(verbose_name="point assessed (考核要点)")),
                        ("points", models.DecimalField(decimal_places=1, max_digits=6, verbose_name="points (分值)")),
                        ("guidance", models.TextField(blank=True, verbose_name="scoring guidance (评分标准)")),
                        (
                            "evidence_expected",
                            models.TextField(blank=True, verbose_name="evidence expected (佐证资料)"),
                        ),
                        (
                            "decisive",
                            models.BooleanField(
                                default=False,
                                help_text="The village fails when the city scores this item below its full points, whatever its total.",
                                verbose_name="decisive (一票否决)",
                            ),
                        ),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "standard",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="acceptance.standard",
                                verbose_name="standard",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_historicalstandarditem",
                        "verbose_name": "historical standard item",
                        "verbose_name_plural": "historical standard items",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalApplication",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("number", models.PositiveSmallIntegerField(verbose_name="round")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "draft"),
                                    ("submitted", "submitted, awaiting review (待复核)"),
                                    ("returned", "returned (退回)"),
                                    ("accepted", "accepted (验收通过)"),
                                ],
                                default="draft",
                                max_length=10,
                                verbose_name="state",
                            ),
                        ),
                        ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="created at")),
                        ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="submitted at")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "submitted_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="submitted by",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="updated by",
                            ),
                        ),
                        (
                            "village",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="villages.village",
                                verbose_name="village",
                            ),
                        ),
                        (
                            "standard",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="acceptance.standard",
                                verbose_name="standard",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_historicalapplication",
                        "verbose_name": "historical application for acceptance",
                        "verbose_name_plural": "historical applications for acceptance",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddField(
                    model_name="application",
                    name="standard",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="applications",
                        to="acceptance.standard",
                        verbose_name="standard",
                    ),
                ),
                migrations.CreateModel(
                    name="StandardItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                        ("category", models.CharField(max_length=100, verbose_name="category (考核内容)")),
                        ("number", models.CharField(max_length=20, verbose_name="number (序号)")),
                        ("point", models.TextField(verbose_name="point assessed (考核要点)")),
                        ("points", models.DecimalField(decimal_places=1, max_digits=6, verbose_name="points (分值)")),
                        ("guidance", models.TextField(blank=True, verbose_name="scoring guidance (评分标准)")),
                        (
                            "evidence_expected",
                            models.TextField(blank=True, verbose_name="evidence expected (佐证资料)"),
                        ),
                        (
                            "decisive",
                            models.BooleanField(
                                default=False,
                                help_text="The village fails when the city scores this item below its full points, whatever its total.",
                                verbose_name="decisive (一票否决)",
                            ),
                        ),
                        (
                            "standard",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="items",
                                to="acceptance.standard",
                                verbose_name="standard",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_standarditem",
                        "verbose_name": "standard item",
                        "verbose_name_plural": "standard items",
                        "ordering": ["standard", "position", "id"],
                    },
                ),
                migrations.AddField(
                    model_name="selfscore",
                    name="item",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="acceptance.standarditem"
                    ),
                ),
                migrations.CreateModel(
                    name="ReviewScore",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "score",
                            models.DecimalField(
                                blank=True, decimal_places=1, max_digits=6, null=True, verbose_name="city's score"
                            ),
                        ),
                        ("comment", models.TextField(blank=True, verbose_name="city's comment")),
                        (
                            "review",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="scores",
                                to="acceptance.review",
                            ),
                        ),
                        (
                            "item",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="acceptance.standarditem",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_reviewscore",
                        "ordering": ["item__position", "item_id"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalSelfScore",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "score",
                            models.DecimalField(
                                blank=True, decimal_places=1, max_digits=6, null=True, verbose_name="self-score"
                            ),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "application",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="acceptance.application",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "item",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="acceptance.standarditem",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_historicalselfscore",
                        "verbose_name": "historical self-score",
                        "verbose_name_plural": "historical self-scores",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalReviewScore",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "score",
                            models.DecimalField(
                                blank=True, decimal_places=1, max_digits=6, null=True, verbose_name="city's score"
                            ),
                        ),
                        ("comment", models.TextField(blank=True, verbose_name="city's comment")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "review",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="acceptance.review",
                            ),
                        ),
                        (
                            "item",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="acceptance.standarditem",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "villages_historicalreviewscore",
                        "verbose_name": "historical review score",
                        "verbose_name_plural": "historical review scores",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddConstraint(
                    model_name="standard",
                    constraint=models.UniqueConstraint(
                        fields=("tier", "year", "version"), name="standard_unique_tier_year_version"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="standard",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("tier", "none"), _negated=True), name="standard_has_a_tier"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="application",
                    constraint=models.UniqueConstraint(fields=("village", "number"), name="application_unique_round"),
                ),
                migrations.AddConstraint(
                    model_name="application",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status__in", ["draft", "submitted"])),
                        fields=("village",),
                        name="application_one_open_round",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="standarditem",
                    constraint=models.UniqueConstraint(
                        fields=("standard", "number"), name="standard_item_unique_number"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="standarditem",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("points__gt", 0)), name="standard_item_points_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="selfscore",
                    constraint=models.UniqueConstraint(fields=("application", "item"), name="self_score_unique_item"),
                ),
                migrations.AddConstraint(
                    model_name="selfscore",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("score__isnull", True), ("score__gte", 0), _connector="OR"),
                        name="self_score_not_negative",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reviewscore",
                    constraint=models.UniqueConstraint(fields=("review", "item"), name="review_score_unique_item"),
                ),
                migrations.AddConstraint(
                    model_name="reviewscore",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("score__isnull", True), ("score__gte", 0), _connector="OR"),
                        name="review_score_not_negative",
                    ),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
