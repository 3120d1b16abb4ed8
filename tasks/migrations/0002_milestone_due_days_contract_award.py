import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="milestone",
            name="due_days",
            field=models.PositiveIntegerField(default=0, verbose_name="due (days after start)"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="milestone",
            name="due_date",
            field=models.DateField(blank=True, null=True, verbose_name="due"),
        ),
        migrations.AddField(
            model_name="contract",
            name="awarded_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterModelOptions(
            name="task",
            options={
                "ordering": ["-published_at", "-id"],
                "permissions": [("moderate_task", "Can moderate tasks")],
                "verbose_name": "task",
                "verbose_name_plural": "tasks",
            },
        ),
    ]
