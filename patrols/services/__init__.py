"""Writes of the patrols app, one module per sub-domain (import from the module):

* ``planning``: routes and checkpoints, schedules and the shifts they generate, sign-ups,
  withdrawals and officers' assignments, the nightly shift generation;
* ``field``: starting a patrol, check-ins (also from the offline queue), notes, photos, the end,
  the officer's review, points for patrol hours, reminders and end-of-shift alerts.
"""
