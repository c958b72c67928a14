"""Domain errors of the training app, with codes (mapped to forms and the API in one place:
``core.forms.add_domain_error`` and ``core.api.exception_handler``, a 400 with ``code``).

Each is raised with a translated message naming what is wrong; the class gives the default code.
"""

from jointdefense.core.errors import DomainError


class TrainingError(DomainError):
    code = "training"


class CourseError(TrainingError):
    """A course, its inclusions or its quiz questions refused."""

    code = "course"


class CourseCycle(CourseError):
    code = "course_cycle"


class NotInStation(TrainingError):
    """Something of another station (a course, a session, a volunteer, a team)."""

    code = "not_in_station"


class NotATrainer(TrainingError):
    code = "not_a_trainer"


class SessionError(TrainingError):
    """A session refused (times, place, capacity, cancelled)."""

    code = "session"


class SessionStarted(SessionError):
    code = "session_started"


class SessionCancelled(SessionError):
    code = "session_cancelled"


class SessionFull(SessionError):
    """Never raised by enrolment (over capacity goes to the waiting list); kept for callers that
    want a place or nothing."""

    code = "session_full"


class EnrolmentError(TrainingError):
    code = "enrolment"


class AlreadyEnrolled(EnrolmentError):
    code = "already_enrolled"


class VolunteerInactive(EnrolmentError):
    code = "volunteer_inactive"


class AttendanceError(TrainingError):
    code = "attendance"


class ScoreOutOfScale(AttendanceError):
    code = "score_out_of_scale"


class CheckInOutsideTime(AttendanceError):
    code = "checkin_outside_time"


class CheckInOutsidePlace(AttendanceError):
    code = "checkin_outside_place"


class CheckInUnknown(AttendanceError):
    code = "checkin_unknown"


class QuizError(TrainingError):
    code = "quiz"


class NoAttemptsLeft(QuizError):
    code = "no_attempts_left"


class AlreadyCertified(QuizError):
    code = "already_certified"


class CertificateError(TrainingError):
    code = "certificate"


class CertificateNotFound(CertificateError):
    code = "certificate_not_found"
