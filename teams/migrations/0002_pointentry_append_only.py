from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION teams_pointentry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'point entries are append-only: add a reversing entry instead'
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER teams_pointentry_no_update_or_delete
  BEFORE UPDATE OR DELETE ON teams_pointentry
  FOR EACH ROW EXECUTE FUNCTION teams_pointentry_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS teams_pointentry_no_update_or_delete ON teams_pointentry;
DROP FUNCTION IF EXISTS teams_pointentry_append_only();
"""


class Migration(migrations.Migration):
    """The points ledger is append-only in the database too: no writer can edit or delete an entry."""

    dependencies = [("teams", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
