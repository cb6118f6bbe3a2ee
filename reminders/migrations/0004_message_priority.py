from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0003_alter_message_kind_alter_occasion_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="priority",
            field=models.PositiveSmallIntegerField(default=50),
        ),
    ]
