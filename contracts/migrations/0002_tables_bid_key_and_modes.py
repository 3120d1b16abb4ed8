"""The contract tables take the contracts app's names, the contract keeps a real key to its bid,
and one contract per task becomes a rule of tender mode.

Data: the content types (and with them permissions and audit rows) move to the contracts app;
each contract's plain `source_bid_id` becomes the foreign key `bid` (a dangling id, which the
old schema could not prevent, becomes null rather than failing the migration).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("contract", "milestone", "delivery", "deliveryfile", "review")


def _move(apps, schema_editor, source, target):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        moved = content_type.objects.filter(app_label=source, model=model)
        if content_type.objects.filter(app_label=target, model=model).exists():
            # post_migrate created the new one already (a database migrated in steps): keep the
            # old one, which the permissions and audit rows point to, and drop the empty new one.
            if moved.exists():
                content_type.objects.filter(app_label=target, model=model).delete()
        moved.update(app_label=target)


def move_content_types(apps, schema_editor):
    _move(apps, schema_editor, "tasks", "contracts")


def move_content_types_back(apps, schema_editor):
    _move(apps, schema_editor, "contracts", "tasks")


def link_bids(apps, schema_editor):
    contract_model = apps.get_model("contracts", "Contract")
    bid_model = apps.get_model("bids", "Bid")
    for contract in contract_model.objects.exclude(source_bid_id=None).only("id", "source_bid_id"):
        if bid_model.objects.filter(pk=contract.source_bid_id).exists():
            contract_model.objects.filter(pk=contract.pk).update(bid_id=contract.source_bid_id)


def unlink_bids(apps, schema_editor):
    contract_model = apps.get_model("contracts", "Contract")
    for contract in contract_model.objects.exclude(bid_id=None).only("id", "bid_id"):
        contract_model.objects.filter(pk=contract.pk).update(source_bid_id=contract.bid_id)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_delivery_markers_and_id_uniqueness'),
        ('bids', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('contracts', '0001_initial'),
        ('tasks', '0004_contracts_move_to_their_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(move_content_types, move_content_types_back),
        migrations.AlterModelTable(
            name='contract',
            table=None,
        ),
        migrations.AlterModelTable(
            name='delivery',
            table=None,
        ),
        migrations.AlterModelTable(
            name='deliveryfile',
            table=None,
        ),
        migrations.AlterModelTable(
            name='milestone',
            table=None,
        ),
        migrations.AlterModelTable(
            name='review',
            table=None,
        ),
        migrations.RemoveConstraint(
            model_name='contract',
            name='contract_one_per_task',
        ),
        migrations.AddField(
            model_name='contract',
            name='bid',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='bids.bid', verbose_name='bid'),
        ),
        migrations.RunPython(link_bids, unlink_bids),
        migrations.RemoveField(
            model_name='contract',
            name='source_bid_id',
        ),
        migrations.AddField(
            model_name='contract',
            name='mode',
            field=models.CharField(choices=[('tender', 'Tender')], default='tender', max_length=10, verbose_name='mode'),
        ),
        migrations.AlterField(
            model_name='contract',
            name='organization',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts_as_poster', to='accounts.organization', verbose_name='poster'),
        ),
        migrations.AlterField(
            model_name='contract',
            name='provider',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='accounts.providerprofile', verbose_name='provider'),
        ),
        migrations.AlterField(
            model_name='contract',
            name='task',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='tasks.task', verbose_name='task'),
        ),
        migrations.AlterField(
            model_name='milestone',
            name='status',
            field=models.CharField(choices=[('awaiting_funding', 'Awaiting funding'), ('funded', 'Funded'), ('submitted', 'Delivered, in review'), ('changes_requested', 'Changes requested'), ('accepted', 'Accepted'), ('released', 'Paid out'), ('disputed', 'Disputed'), ('refunded', 'Refunded'), ('split', 'Split by a decision')], db_index=True, default='awaiting_funding', max_length=20, verbose_name='status'),
        ),
        migrations.AddConstraint(
            model_name='contract',
            constraint=models.UniqueConstraint(condition=models.Q(('mode', 'tender')), fields=('task',), name='contract_one_per_tender_task'),
        ),
        migrations.AddConstraint(
            model_name='contract',
            constraint=models.UniqueConstraint(fields=('bid',), name='contract_one_per_bid'),
        ),
    ]
