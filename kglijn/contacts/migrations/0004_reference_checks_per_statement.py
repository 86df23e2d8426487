"""On PostgreSQL the contact's references to users and customers and the reason/referral link
tables' references lose their row-by-row foreign keys and get set-based checks instead: one
query per statement over the statement's transition table (ADR 0006).

Why: a bulk import of 1 M contacts writes 1 M contact rows and ~2 M link rows. PostgreSQL's
foreign-key triggers run once per row and key (and lock the referenced row): ~19 s of a 1 M
import, a third of it for keys that are NULL. These triggers check all rows of a COPY with one
anti-join each.

What the checks guarantee, like the foreign keys did: a row's references exist when it is
inserted or updated; a contact, user, customer, reason or referral organisation that is still
referred to cannot be deleted or truncated (Django's own on_delete handling runs first, as
before). Unlike foreign keys they take no row locks: a reference written while another
transaction deletes its target can slip through; `kglijn rollups check` reports such orphans.

SQLite keeps the foreign keys migration 0001 created: the state change is not applied to its
tables (its checks are cheap, and a remake of the contact table would gain nothing).
"""

from django.conf import settings
from django.db import migrations, models

# (table, column, referenced table); the referenced key is always "id".
REFERENCES = (
    ("contacts_contact", "handler_id", "auth_user"),
    ("contacts_contact", "created_by_id", "auth_user"),
    ("contacts_contact", "customer_id", "contacts_customer"),
    ("contacts_contact_reasons", "contact_id", "contacts_contact"),
    ("contacts_contact_reasons", "reason_id", "contacts_reason"),
    ("contacts_contact_referrals", "contact_id", "contacts_contact"),
    ("contacts_contact_referrals", "referralorganisation_id", "contacts_referralorganisation"),
)


def _name(table: str, column: str) -> str:
    return f"kglijn_ref_{table.removeprefix('contacts_')}_{column}"[:50]


def _create_sql(table: str, column: str, parent: str) -> list[str]:
    name = _name(table, column)
    # Static SQL per reference (not EXECUTE format(...)): PL/pgSQL caches the plans, so the
    # per-statement cost on the desk's single-row writes stays in the tens of microseconds.
    return [
        f"""
CREATE FUNCTION {name}_child() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
BEGIN
    SELECT n."{column}" INTO missing FROM kglijn_new_rows n
    WHERE n."{column}" IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM "{parent}" p WHERE p.id = n."{column}")
    LIMIT 1;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            MESSAGE = format('{table}.{column} = %s refers to no row of {parent}', missing);
    END IF;
    RETURN NULL;
END
$$""",
        f"""
CREATE FUNCTION {name}_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        SELECT c."{column}" INTO kept FROM "{table}" c WHERE c."{column}" IS NOT NULL LIMIT 1;
    ELSE
        SELECT o.id INTO kept FROM kglijn_old_rows o
        WHERE EXISTS (SELECT 1 FROM "{table}" c WHERE c."{column}" = o.id)
        LIMIT 1;
    END IF;
    IF kept IS NOT NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            MESSAGE = format('{parent} id %s is still referred to by {table}.{column}', kept);
    END IF;
    RETURN NULL;
END
$$""",
        f'CREATE TRIGGER {name}_ins AFTER INSERT ON "{table}" '
        f"REFERENCING NEW TABLE AS kglijn_new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {name}_child()",
        f'CREATE TRIGGER {name}_upd AFTER UPDATE ON "{table}" '
        f"REFERENCING NEW TABLE AS kglijn_new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {name}_child()",
        f'CREATE TRIGGER {name}_del AFTER DELETE ON "{parent}" '
        f"REFERENCING OLD TABLE AS kglijn_old_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {name}_parent()",
        # AFTER: a TRUNCATE of the referring table in the same statement has happened by then
        # (as a foreign key allows `TRUNCATE parent, child`).
        f'CREATE TRIGGER {name}_trunc AFTER TRUNCATE ON "{parent}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_parent()",
    ]


def _foreign_keys(cursor, table: str, column: str) -> list[str]:  # type: ignore[no-untyped-def]
    cursor.execute(
        "SELECT c.conname FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
        "WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = %s",
        [table, column],
    )
    return [row[0] for row in cursor.fetchall()]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column, parent in REFERENCES:
            for constraint in _foreign_keys(cursor, table, column):
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
            for statement in _create_sql(table, column, parent):
                cursor.execute(statement)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column, parent in REFERENCES:
            name = _name(table, column)
            for suffix, on in (("ins", table), ("upd", table), ("del", parent), ("trunc", parent)):
                cursor.execute(f'DROP TRIGGER {name}_{suffix} ON "{on}"')
            cursor.execute(f"DROP FUNCTION {name}_child()")
            cursor.execute(f"DROP FUNCTION {name}_parent()")
            cursor.execute(
                f'ALTER TABLE "{table}" ADD CONSTRAINT {name}_fk FOREIGN KEY ("{column}") '
                f'REFERENCES "{parent}" (id) DEFERRABLE INITIALLY DEFERRED'
            )


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contacts", "0003_contact_partial_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="contact",
                    name="handler",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="handled_contacts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="handler",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="registered by",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="customer",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="contacts",
                        to="contacts.customer",
                        verbose_name="customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="reasons",
                    field=models.ManyToManyField(
                        blank=True,
                        db_constraint=False,
                        to="contacts.reason",
                        verbose_name="reasons",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="referrals",
                    field=models.ManyToManyField(
                        blank=True,
                        db_constraint=False,
                        to="contacts.referralorganisation",
                        verbose_name="referrals",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
