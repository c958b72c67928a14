"""Pages of the patrols app: ``planning`` (officers plan, volunteers sign up) and ``field``
(patrols on the phone, the duty board, review)."""
