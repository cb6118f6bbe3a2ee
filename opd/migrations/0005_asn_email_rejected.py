"""What SIASN sent as an email when it is not one usable address, kept apart from the address itself.

Addresses stored before the check are checked once here: a bad one moves to
email_rejected, so the outbox never meets it and BKPSDM sees what SIASN holds.
"""

from django.db import migrations, models

import opd.emails


def move_bad_addresses(apps, schema_editor):
    Asn = apps.get_model("opd", "Asn")
    bad = []
    for asn in Asn.objects.exclude(email="").only("pk", "email").iterator(chunk_size=2000):
        address, rejected = opd.emails.split_email(asn.email)
        if rejected:
            asn.email, asn.email_rejected = address, rejected
            bad.append(asn)
    Asn.objects.bulk_update(bad, ["email", "email_rejected"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("opd", "0004_asn_appraiser_source_and_population_flag"),
    ]

    operations = [
        migrations.AddField(
            model_name="asn",
            name="email_rejected",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="What SIASN holds as the email when it is not one valid address; reminders cannot use it.",
                max_length=254,
                verbose_name="email refused from SIASN",
            ),
        ),
        migrations.AlterField(
            model_name="asn",
            name="email",
            field=models.EmailField(
                blank=True, max_length=254, validators=[opd.emails.validate_plain_email], verbose_name="email"
            ),
        ),
        migrations.RunPython(move_bad_addresses, migrations.RunPython.noop),
    ]
