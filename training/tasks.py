"""Celery tasks of the training app: thin (the base task restores the tenant scope; a task calls a
service). Certificate expiry notices arrive with the training issue."""
