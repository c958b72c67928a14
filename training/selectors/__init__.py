"""Reads of the training app, one module per sub-domain (import from the module):

* ``qualifications``: what a volunteer needs and holds, the next session with a free place, and
  the refusal the gates show (``training_refusal``: patrols' ``patrol_refusal`` and activation);
* ``sessions``: upcoming sessions, a session with its enrolled and waiting lists, one's enrolments;
* ``records``: a volunteer's training record, a course's roster, the station's compliance.
"""
