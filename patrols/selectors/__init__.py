"""Reads of the patrols app, one module per sub-domain (import from the module):

* ``planning``: routes, checkpoints, schedules, shifts, the coverage week, hot spots;
* ``signups``: the volunteers' shift board, a shift's roster, the sign-ups one may see;
* ``field``: the volunteer's shifts and patrols, a patrol's checkpoints, the duty board, the
  officers' patrol list and review queue;
* ``hours``: patrol hours derived from check-ins;
* ``eligibility``: whether a volunteer may patrol (``patrol_refusal``, ``may_patrol``).
"""
