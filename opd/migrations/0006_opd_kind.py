from django.db import migrations


class Migration(migrations.Migration):
    """Opd.jenis is Opd.kind, as Asn.kind, Period.kind and Exemption.kind: the same column, renamed."""

    dependencies = [("opd", "0005_asn_email_rejected")]

    operations = [migrations.RenameField(model_name="opd", old_name="jenis", new_name="kind")]
