"""Contracts, milestones, deliveries and reviews move to the contracts app (state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tasks', '0003_verbose_names'),
    ]

    # The tables stay as they are here: only Django's idea of which app owns the models
    # changes. contracts.0002 then renames the tables and moves the content types.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='review',
                    name='contract',
                ),
                migrations.RemoveField(
                    model_name='milestone',
                    name='contract',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='milestone',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='submitted_by',
                ),
                migrations.RemoveField(
                    model_name='deliveryfile',
                    name='delivery',
                ),
                migrations.RemoveField(
                    model_name='milestone',
                    name='accepted_by',
                ),
                migrations.RemoveField(
                    model_name='review',
                    name='author',
                ),
                migrations.DeleteModel(
                    name='Contract',
                ),
                migrations.DeleteModel(
                    name='Delivery',
                ),
                migrations.DeleteModel(
                    name='DeliveryFile',
                ),
                migrations.DeleteModel(
                    name='Milestone',
                ),
                migrations.DeleteModel(
                    name='Review',
                ),
            ],
        ),
    ]
