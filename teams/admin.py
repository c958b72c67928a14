"""The teams app has no admin pages: volunteers, teams and points are managed on the station's
own pages (every write goes through teams.services)."""
