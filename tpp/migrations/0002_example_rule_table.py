"""An example TPP rule table so the portal works from the first day.

These numbers are an example only: Perbup Kapuas decides the real shares, and
BKPSDM enters them in the admin panel as a new table with its date.
"""

from django.db import migrations

EXAMPLE = {
    "on_time": {"sangat_baik": 100, "baik": 100, "butuh_perbaikan": 90, "kurang": 80, "sangat_kurang": 70},
    "late": {"sangat_baik": 80, "baik": 80, "butuh_perbaikan": 70, "kurang": 60, "sangat_kurang": 50},
    "overdue": {"": 0},
    "pending": {"": 0},
    # Exemptions (cuti besar, tugas belajar…) follow their own provisions; paid here as 0 until BKPSDM says otherwise.
    "exempt": {"": 0},
}


def install(apps, schema_editor):
    RuleSet = apps.get_model("tpp", "RuleSet")
    ShareRule = apps.get_model("tpp", "ShareRule")
    ruleset, created = RuleSet.objects.get_or_create(
        effective_from="2025-01-01",
        defaults={
            "legal_basis": "Contoh bawaan, bukan angka resmi",
            "note": "Angka contoh. Besaran sebenarnya ditetapkan Peraturan Bupati Kapuas; "
            "BKPSDM memasukkannya sebagai tabel baru dengan tanggal berlakunya.",
        },
    )
    if created:
        for status, shares in EXAMPLE.items():
            for predikat, share in shares.items():
                ShareRule.objects.create(ruleset=ruleset, status=status, predikat=predikat, share=share)


class Migration(migrations.Migration):
    dependencies = [("tpp", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
