"""Writes of the training app, one module per sub-domain (import from the module):

* ``courses``: courses, what they include (cycles refused), quiz questions;
* ``sessions``: sessions, enrolment with the waiting list, withdrawal, whole teams;
* ``attendance``: the officer's attendance page (all or nothing) and the QR check-in;
* ``quizzes``: submitting an online quiz;
* ``certificates``: issuing (idempotent) and revoking;
* ``notices``: the beat work: expiry notices and the reminders the day before.

Each write is one atomic, audited action with keyword arguments and an explicit ``actor``; every
refusal is a ``training.errors`` exception with a code and a translated message.
"""
