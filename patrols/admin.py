"""The patrols app has no Django admin pages: officers plan and review on the station's own pages
(patrols.views) and the API (patrols.api), where every write is a service with its audit entry."""
