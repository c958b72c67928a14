"""Background work of the incidents app: each task calls a service (the base task restores the
tenant scope where a task takes ``tenant_id``; these two sweep every station)."""

from celery import shared_task

from .services.privacy import contacts_erase_expired
from .services.return_visits import return_visit_alerts_send


@shared_task(name="incidents.return_visit_alerts", ignore_result=True)
def return_visit_alerts():
    """Alert each visitor once when a return visit is due within a day, and once when it is overdue
    (services.return_visits.return_visit_alerts_send)."""
    return_visit_alerts_send()


@shared_task(name="incidents.erase_old_contacts", ignore_result=True)
def erase_old_contacts():
    """Erase reporters' contacts a station-set number of days after their case closed
    (services.privacy.contacts_erase_expired)."""
    return contacts_erase_expired()
