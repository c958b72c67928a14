"""The teams app's sections of the weekly station summary (core.registry.summary_sections): none
yet. The volunteers' figures (active volunteers, applications, points) are in the summary through
the dashboard figures (``figures.py``); a list of what waits for the station would come here."""

SECTIONS = ()
