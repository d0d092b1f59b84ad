"""PostgreSQL only: ``ratings_rating`` becomes a table partitioned by RANGE of ``rated_at``
(one partition per month, plus a default partition). The primary key becomes
``(id, rated_at)`` (a partitioned table's unique indexes must include the partition key);
UUID uniqueness lives in ``ratings_ratingkey`` (migration 0004). Existing rows are copied.
SQLite: nothing changes."""

from datetime import date

from django.db import migrations

OLD = "ratings_rating_unpartitioned"


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    from central.ratings import partitions

    with conn.cursor() as c:
        c.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
            "AND confrelid = 'ratings_rating'::regclass"
        )
        referencing = [row[0] for row in c.fetchall()]
        if referencing:
            raise RuntimeError(
                "ratings_rating cannot be partitioned while these tables have a foreign key "
                f"to it: {referencing}. Reference ratings by uuid (ratings_ratingkey) instead."
            )
        c.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ratings_rating' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p' "
            "AND conrelid = 'ratings_rating'::regclass)"
        )
        indexes = c.fetchall()
        c.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = 'ratings_rating'::regclass"
        )
        foreign_keys = c.fetchall()
        c.execute("SELECT min(rated_at), max(rated_at) FROM ratings_rating")
        low, high = c.fetchone()
        c.execute(f"ALTER TABLE ratings_rating RENAME TO {OLD}")
        for name, _ in indexes:
            c.execute(f'ALTER INDEX "{name}" RENAME TO "{name}_old"')
        c.execute("CREATE SEQUENCE IF NOT EXISTS ratings_rating_pk_seq AS bigint")
        c.execute(
            f"CREATE TABLE ratings_rating (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            "PARTITION BY RANGE (rated_at)"
        )
        c.execute(
            "ALTER TABLE ratings_rating ALTER COLUMN id SET DEFAULT nextval('ratings_rating_pk_seq')"
        )
        c.execute("ALTER SEQUENCE ratings_rating_pk_seq OWNED BY ratings_rating.id")
        c.execute("ALTER TABLE ratings_rating ADD PRIMARY KEY (id, rated_at)")
        c.execute("CREATE TABLE ratings_rating_default PARTITION OF ratings_rating DEFAULT")
        today = date.today()
        partitions.ensure(
            min(low.date() if low else today, date(today.year - 1, 1, 1)),
            max(high.date() if high else today, date(today.year + 1, 12, 1)),
            conn,
        )
        c.execute(f"INSERT INTO ratings_rating SELECT * FROM {OLD}")
        c.execute(
            "SELECT setval('ratings_rating_pk_seq', "
            f"GREATEST((SELECT COALESCE(max(id), 0) FROM {OLD}), 1))"
        )
        c.execute(f"DROP TABLE {OLD}")
        for name, definition in indexes:
            c.execute(definition.replace(f" ON public.{OLD} ", " ON public.ratings_rating "))
        for name, definition in foreign_keys:
            c.execute(f'ALTER TABLE ratings_rating ADD CONSTRAINT "{name}" {definition}')


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("ratings", "0004_ratingkey_uuid_dedup")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
