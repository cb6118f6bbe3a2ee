"""Bulk writes every BKN writer shares."""

from opd.models import Asn

CHUNK = 1000


def upsert(model, objects: list, unique: list[str], fields: list[str]) -> None:
    """INSERT … ON CONFLICT DO UPDATE, keyed by a unique constraint, for new and changed rows alike.

    Django's bulk_update builds a CASE per row and field and took a minute for
    8,000 rows here; an upsert is one statement per batch. Objects come back
    with their primary keys (PostgreSQL and SQLite both return them).
    """
    for obj in objects:
        obj.pk = None  # conflict on the natural key, never on an id we already know
        if model is Asn:
            obj.id = None
    model.objects.bulk_create(
        objects, batch_size=CHUNK, update_conflicts=True, unique_fields=unique, update_fields=fields
    )


def jsonable(row: dict) -> dict:
    """Spreadsheet cells can be dates and floats; the raw payload is kept as JSON."""
    return {str(k): (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
