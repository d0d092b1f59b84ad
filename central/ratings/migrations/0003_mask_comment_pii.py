"""Mask personal data (Thai ID numbers, phone numbers, e-mail addresses) in the comments
stored before central masked them on ingest (issue 10). The unmasked text is overwritten
in place; nothing of it is logged or kept. Reversing is a no-op: masking cannot be undone."""

from django.db import migrations

BATCH = 2000


def mask_stored_comments(apps, schema_editor):
    from protocol.pii import mask

    Rating = apps.get_model("ratings", "Rating")
    rows = (
        Rating.objects.exclude(comment=None)
        .exclude(comment="")
        .only("pk", "comment")
        .order_by("pk")
    )
    changed = []
    for row in rows.iterator(chunk_size=BATCH):
        masked = mask(row.comment)
        if masked != row.comment:
            row.comment = masked
            changed.append(row)
        if len(changed) >= BATCH:
            Rating.objects.bulk_update(changed, ["comment"])
            changed.clear()
    if changed:
        Rating.objects.bulk_update(changed, ["comment"])


class Migration(migrations.Migration):
    dependencies = [("ratings", "0002_rating_unknown_service")]

    operations = [migrations.RunPython(mask_stored_comments, migrations.RunPython.noop)]
