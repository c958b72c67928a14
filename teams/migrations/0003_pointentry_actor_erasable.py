from django.db import migrations

# The ledger stays append-only, with one exception: deleting the person who made an entry sets its
# actor to NULL (PointEntry.actor is SET_NULL), so people can be erased; every other column, and the
# actor of a row whose actor is already gone, stays as it was written.
SQL = """
CREATE OR REPLACE FUNCTION teams_pointentry_append_only() RETURNS trigger AS $$
DECLARE
  unchanged teams_pointentry%ROWTYPE;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL THEN
    unchanged := NEW;
    unchanged.actor_id := OLD.actor_id;
    IF unchanged IS NOT DISTINCT FROM OLD THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'point entries are append-only: add a reversing entry instead'
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

REVERSE = """
CREATE OR REPLACE FUNCTION teams_pointentry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'point entries are append-only: add a reversing entry instead'
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    """Deleting a user who awarded points works: the trigger lets exactly the actor become NULL."""

    dependencies = [("teams", "0002_pointentry_append_only")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
