from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor):
    """Name the site, so allauth's emails say 众包 and link to SITE_URL, not example.com."""
    site_model = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc or "127.0.0.1:8000"
    site_model.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "众包"}
    )


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial"), ("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
