"""Reads of the patrols app, one module per sub-domain (import from the module):

* ``planning``: routes, schedules, the coverage week, the shift board, hot spots;
* ``field``: the volunteer's shifts and patrols, a patrol's checkpoints, the duty board, the
  officers' patrol list and review queue;
* ``hours``: patrol hours derived from check-ins;
* ``eligibility``: whether a volunteer may patrol (``patrol_refusal``, ``may_patrol``).
"""
