"""The contracts app takes over the contract models of tasks, tables included (state only)."""

import contracts.models
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0003_delivery_markers_and_id_uniqueness'),
        ('tasks', '0004_contracts_move_to_their_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The tables stay as they are here: only Django's idea of which app owns the models
    # changes. contracts.0002 then renames the tables and moves the content types.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Contract',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source_bid_id', models.BigIntegerField(blank=True, null=True)),
                        ('amount', models.BigIntegerField(verbose_name='total (fen)')),
                        ('currency', models.CharField(choices=[('CNY', 'CNY'), ('USD', 'USD'), ('EUR', 'EUR'), ('HKD', 'HKD')], default='CNY', max_length=3)),
                        ('duration_days', models.PositiveIntegerField(verbose_name='duration (days)')),
                        ('ip_terms', models.CharField(choices=[('transfer', 'Results transfer to the poster on acceptance'), ('license', 'Provider keeps the rights and grants a licence'), ('custom', 'Custom terms')], max_length=10)),
                        ('ip_terms_custom', models.TextField(blank=True)),
                        ('status', models.CharField(choices=[('awaiting_funding', 'Awaiting funding'), ('active', 'Active'), ('completed', 'Completed'), ('cancelled', 'Cancelled')], default='awaiting_funding', max_length=20, verbose_name='status')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('completed_at', models.DateTimeField(blank=True, null=True)),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                        ('awarded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts_as_poster', to='accounts.organization')),
                        ('provider', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='accounts.providerprofile')),
                        ('task', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='tasks.task')),
                    ],
                    options={
                        'verbose_name': 'contract',
                        'verbose_name_plural': 'contracts',
                        'db_table': 'tasks_contract',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('round', models.PositiveSmallIntegerField()),
                        ('note', models.TextField(max_length=8000, verbose_name='note')),
                        ('submitted_at', models.DateTimeField(auto_now_add=True)),
                        ('decision', models.CharField(choices=[('pending', 'In review'), ('accepted', 'Accepted'), ('auto_accepted', 'Accepted after the review window'), ('changes_requested', 'Changes requested')], default='pending', max_length=20)),
                        ('decision_note', models.TextField(blank=True, max_length=8000, verbose_name='feedback')),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('submitted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'delivery',
                        'verbose_name_plural': 'deliveries',
                        'db_table': 'tasks_delivery',
                        'ordering': ['milestone', 'round'],
                    },
                ),
                migrations.CreateModel(
                    name='DeliveryFile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(max_length=200, upload_to=contracts.models.delivery_file_path)),
                        ('original_name', models.CharField(max_length=200)),
                        ('content_type', models.CharField(max_length=100)),
                        ('size', models.PositiveBigIntegerField()),
                        ('sha256', models.CharField(db_index=True, max_length=64)),
                        ('received_at', models.DateTimeField(auto_now_add=True)),
                        ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='files', to='contracts.delivery')),
                    ],
                    options={
                        'db_table': 'tasks_deliveryfile',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='Milestone',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField()),
                        ('title', models.CharField(max_length=120, verbose_name='title')),
                        ('description', models.TextField(blank=True, max_length=2000, verbose_name='what is delivered')),
                        ('amount', models.BigIntegerField(verbose_name='amount (fen)')),
                        ('due_days', models.PositiveIntegerField(verbose_name='due (days after start)')),
                        ('due_date', models.DateField(blank=True, null=True, verbose_name='due')),
                        ('status', models.CharField(choices=[('awaiting_funding', 'Awaiting funding'), ('funded', 'Funded'), ('submitted', 'Delivered, in review'), ('changes_requested', 'Changes requested'), ('accepted', 'Accepted'), ('released', 'Paid out'), ('disputed', 'Disputed'), ('refunded', 'Refunded')], db_index=True, default='awaiting_funding', max_length=20, verbose_name='status')),
                        ('change_rounds', models.PositiveSmallIntegerField(default=0, verbose_name='change rounds used')),
                        ('funded_at', models.DateTimeField(blank=True, null=True)),
                        ('submitted_at', models.DateTimeField(blank=True, null=True)),
                        ('review_due_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                        ('accepted_at', models.DateTimeField(blank=True, null=True)),
                        ('released_at', models.DateTimeField(blank=True, null=True)),
                        ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='milestones', to='contracts.contract')),
                    ],
                    options={
                        'verbose_name': 'milestone',
                        'verbose_name_plural': 'milestones',
                        'db_table': 'tasks_milestone',
                        'ordering': ['contract', 'position'],
                    },
                ),
                migrations.AddField(
                    model_name='delivery',
                    name='milestone',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='contracts.milestone'),
                ),
                migrations.CreateModel(
                    name='Review',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('side', models.CharField(choices=[('poster', 'Poster reviews provider'), ('provider', 'Provider reviews poster')], max_length=10)),
                        ('rating', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='overall')),
                        ('quality', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='quality')),
                        ('communication', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='communication')),
                        ('timeliness', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='timeliness')),
                        ('comment', models.TextField(blank=True, max_length=4000, verbose_name='comment')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='contracts.contract')),
                    ],
                    options={
                        'verbose_name': 'review',
                        'verbose_name_plural': 'reviews',
                        'db_table': 'tasks_review',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='contract',
                    constraint=models.UniqueConstraint(fields=('task',), name='contract_one_per_task'),
                ),
                migrations.AddConstraint(
                    model_name='contract',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='contract_amount_positive'),
                ),
                migrations.AddConstraint(
                    model_name='milestone',
                    constraint=models.UniqueConstraint(fields=('contract', 'position'), name='milestone_position'),
                ),
                migrations.AddConstraint(
                    model_name='milestone',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='milestone_amount_positive'),
                ),
                migrations.AddConstraint(
                    model_name='delivery',
                    constraint=models.UniqueConstraint(fields=('milestone', 'round'), name='delivery_round_unique'),
                ),
                migrations.AddConstraint(
                    model_name='review',
                    constraint=models.UniqueConstraint(fields=('contract', 'side'), name='review_one_per_side'),
                ),
                migrations.AddConstraint(
                    model_name='review',
                    constraint=models.CheckConstraint(condition=models.Q(('rating__gte', 1), ('rating__lte', 5), ('quality__gte', 1), ('quality__lte', 5), ('communication__gte', 1), ('communication__lte', 5), ('timeliness__gte', 1), ('timeliness__lte', 5)), name='review_scores_range'),
                ),
            ],
        ),
    ]
