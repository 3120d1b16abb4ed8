from django.db import migrations


def forwards(apps, schema_editor):
    from accounts.skills import load_skills

    load_skills(apps.get_model("accounts", "SkillCategory"), apps.get_model("accounts", "Skill"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
