from django.db import migrations, models


def infer_roles(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Existing people keep everything in view ("both") unless what they have says one role:
    a member of a posting organization with no provider profile posts; someone with a
    profile (their own or a micro-firm's) and no posting organization takes work."""
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    ProviderProfile = apps.get_model("accounts", "ProviderProfile")
    posting = set(
        Membership.objects.filter(organization__kind__in=["enterprise", "government"]).values_list(
            "user_id", flat=True
        )
    )
    providing = set(
        ProviderProfile.objects.filter(user__isnull=False).values_list("user_id", flat=True)
    ) | set(
        Membership.objects.filter(organization__kind="microfirm").values_list("user_id", flat=True)
    )
    User.objects.filter(pk__in=posting - providing).update(role="poster")
    User.objects.filter(pk__in=providing - posting).update(role="provider")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_sign_in_failures"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("poster", "Post work for an organization"),
                    ("provider", "Take work as an individual or a micro-firm"),
                    ("both", "Both"),
                ],
                default="both",
                max_length=10,
                verbose_name="role",
            ),
        ),
        migrations.RunPython(infer_roles, migrations.RunPython.noop),
    ]
