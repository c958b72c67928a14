"""Forms of the patrols app: ``planning``, ``field`` and ``geo`` (the map fields)."""
