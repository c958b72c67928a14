"""Writes of the patrols app, one module per sub-domain (import from the module):

* ``planning``: routes and checkpoints (and their drawn geometry), schedules and the shifts they
  generate (also the nightly generation), one-off shifts;
* ``signups``: a volunteer signs up or withdraws, officers assign volunteers and teams;
* ``field``: starting a patrol, check-ins (also from the offline queue), notes, photos, the end,
  the officer's review, points for patrol hours (also the sweep);
* ``reminders``: the e-mails before a shift and after one that ended short.
"""
