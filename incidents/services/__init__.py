"""Writes of the incidents app, each one atomic and audited with an explicit actor; one module per
sub-domain (the same names as in ``selectors`` where both exist):

* ``reports``: filing a report (checks, blur, photos), the reporter adding information, categories
* ``triage``: the status flow, assigning, public updates and internal notes
* ``return_visits``: recording and rating return visits, the due and overdue alerts
* ``duplicates``: joining a report to another of the same incident, merging
* ``clues``: marking a report as a valuable clue (points for a volunteer reporter)
* ``privacy``: the logged view of a reporter's contact, erasing old contacts
* ``mediation``: dispute mediations, their parties, sessions and outcome
* ``notifications``: telling reporters (e-mail or text message, through the outbox)
* ``rollups``: what each write adds to the figures' rollups (applied in the writer's transaction)
"""
