"""Pages of the training app, under /s/<station>/training/: courses (views.courses), sessions with
the attendance page and the QR check-in (views.sessions), and records: the volunteer's own page,
certificates with their public verification page, records and compliance (views.records)."""

from django.urls import path

from .views import courses, records, sessions

app_name = "training"

urlpatterns = [
    # courses
    path("training/courses/", courses.CourseListView.as_view(), name="course-list"),
    path("training/courses/new/", courses.CourseCreateView.as_view(), name="course-create"),
    path("training/courses/<int:pk>/", courses.CourseDetailView.as_view(), name="course-detail"),
    path("training/courses/<int:pk>/edit/", courses.CourseEditView.as_view(), name="course-edit"),
    path("training/courses/<int:pk>/holders/", courses.CourseRosterView.as_view(), name="course-roster"),
    path("training/courses/<int:pk>/quiz/", courses.QuizView.as_view(), name="quiz"),
    path(
        "training/courses/<int:pk>/questions/new/", courses.QuestionFormView.as_view(), name="question-create"
    ),
    path(
        "training/courses/<int:pk>/questions/<int:question>/",
        courses.QuestionFormView.as_view(),
        name="question-edit",
    ),
    # sessions
    path("training/sessions/", sessions.SessionListView.as_view(), name="session-list"),
    path("training/sessions/new/", sessions.SessionCreateView.as_view(), name="session-create"),
    path("training/sessions/<int:pk>/", sessions.SessionDetailView.as_view(), name="session-detail"),
    path("training/sessions/<int:pk>/edit/", sessions.SessionEditView.as_view(), name="session-edit"),
    path("training/sessions/<int:pk>/cancel/", sessions.SessionCancelView.as_view(), name="session-cancel"),
    path("training/sessions/<int:pk>/enrol/", sessions.SessionEnrolView.as_view(), name="session-enrol"),
    path(
        "training/sessions/<int:pk>/withdraw/",
        sessions.SessionWithdrawView.as_view(),
        name="session-withdraw",
    ),
    path(
        "training/sessions/<int:pk>/enrol-others/",
        sessions.SessionEnrolOthersView.as_view(),
        name="session-enrol-others",
    ),
    path(
        "training/sessions/<int:pk>/attendance/", sessions.AttendanceView.as_view(), name="session-attendance"
    ),
    path("training/sessions/<int:pk>/qr/", sessions.SessionQRView.as_view(), name="session-qr"),
    path("training/check-in/<str:code>/", sessions.CheckInView.as_view(), name="check-in"),
    # records
    path("training/me/", records.MyTrainingView.as_view(), name="my-training"),
    path("training/me/certificates/<int:pk>/", records.CertificatePrintView.as_view(), name="certificate"),
    path(
        "training/me/certificates/<int:pk>/revoke/",
        records.CertificateRevokeView.as_view(),
        name="certificate-revoke",
    ),
    path("training/certificates/", records.CertificateListView.as_view(), name="certificate-list"),
    path("training/certificates/<str:code>/", records.VerifyView.as_view(), name="verify"),
    path("training/records/", records.VolunteerRecordSearchView.as_view(), name="record-list"),
    path("training/records/<int:pk>/", records.VolunteerRecordView.as_view(), name="volunteer-record"),
    path("training/compliance/", records.ComplianceView.as_view(), name="compliance"),
]
