"""API views of the patrols app: ``planning`` (routes, checkpoints, schedules, shifts, sign-ups)
and ``field`` (check-ins, patrols, the duty board)."""
