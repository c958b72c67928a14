"""The training API under /api/s/<station>/training/: courses (officers create and change them;
volunteers submit a quiz), sessions (officers create, change and cancel; enrol oneself, a
volunteer or a team; record the whole session's attendance at once; the QR check-in), enrolments
(one's own or, for staff, everyone's; withdraw), results (recorded attendance and results),
certificates (one's own or the station's; revoke) and the public verification of a code.

Thin views: training.services write, the selectors read, DomainErrors answer 400 with their code
(core.api.exception_handler); another station's ids are 404."""

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from jointdefense.core.api import validated
from jointdefense.core.errors import DomainError
from jointdefense.tenancy.api.base import StationViewSet
from jointdefense.tenancy.roles import has_station_perm
from teams.selectors.volunteers import volunteer_for_user

from ..models import Certificate, Course, Enrolment, TrainingSession
from ..selectors import records as record_selectors
from ..selectors import sessions as session_selectors
from ..services import attendance as attendance_services
from ..services import certificates as certificate_services
from ..services import courses as course_services
from ..services import quizzes
from ..services import sessions as session_services
from . import serializers as s


def own_volunteer(request):
    volunteer = volunteer_for_user(tenant=request.tenant, user=request.user)
    if volunteer is None:
        raise Http404
    return volunteer


@extend_schema_view(
    list=extend_schema(summary="Courses of the station (volunteers: those offered)"),
    retrieve=extend_schema(summary="One course"),
)
class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Course
    serializer_class = s.CourseSerializer
    station_permissions = {
        "list": "course.view",
        "retrieve": "course.view",
        "create": "course.manage",
        "partial_update": "course.manage",
        "quiz": "session.enrol",
    }

    def station_queryset(self):
        return session_selectors.course_list(
            tenant=self.tenant,
            include_inactive=has_station_perm(self.request.user, self.tenant, "course.manage"),
            with_includes=True,
        )

    def save(self, serializer, course=None):
        serializer.is_valid(raise_exception=True)
        included = serializer.included(self.tenant)
        fields = serializer.fields_for_service()
        with transaction.atomic():  # the course and what it includes, together or not at all
            if course is None:
                course = course_services.course_create(tenant=self.tenant, actor=self.request.user, **fields)
            elif fields:
                course = course_services.course_update(course=course, actor=self.request.user, **fields)
            if included is not None:
                course_services.course_set_includes(course=course, included=included, actor=self.request.user)
        return self.get_queryset().get(pk=course.pk)

    @extend_schema(
        summary="Create a course (officers)",
        request=s.CourseInputSerializer,
        responses={201: s.CourseSerializer},
    )
    def create(self, request, *args, **kwargs):
        course = self.save(s.CourseInputSerializer(data=request.data, context={"request": request}))
        return Response(s.CourseSerializer(course).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a course (officers)",
        request=s.CourseInputSerializer,
        responses={200: s.CourseSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        course = self.get_object()
        serializer = s.CourseInputSerializer(
            course, data=request.data, partial=True, context={"request": request}
        )
        return Response(s.CourseSerializer(self.save(serializer, course)).data)

    @extend_schema(
        summary="Submit a quiz (the volunteer themselves): refused when the attempts ran out",
        request=s.QuizAnswersSerializer,
        responses={201: s.QuizAttemptSerializer},
    )
    @action(detail=True, methods=["post"])
    def quiz(self, request, station=None, pk=None):
        course = self.get_object()
        data = validated(s.QuizAnswersSerializer, request)
        attempt = quizzes.quiz_submit(
            course=course, volunteer=own_volunteer(request), answers=data["answers"]
        )
        return Response(s.QuizAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Sessions of the station, with how many are enrolled"),
    retrieve=extend_schema(summary="One session"),
)
class SessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = TrainingSession
    serializer_class = s.SessionSerializer
    station_permissions = {
        "list": "course.view",
        "retrieve": "course.view",
        "create": "course.manage",
        "partial_update": "course.manage",
        "cancel": "course.manage",
        "enrol": "course.view",  # oneself (session.enrol) or others (session.enrol_others): below
        "attendance": "session.record",
        "check_in": "session.enrol",
    }

    def station_queryset(self):
        return session_selectors.session_list(tenant=self.tenant)

    def reread(self, session):
        return s.SessionSerializer(self.get_queryset().get(pk=session.pk)).data

    @extend_schema(
        summary="Create a session (officers)",
        request=s.SessionInputSerializer,
        responses={201: s.SessionSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = s.SessionInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        session = session_services.session_create(
            tenant=self.tenant, actor=request.user, **serializer.service_kwargs()
        )
        return Response(self.reread(session), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a session (officers)",
        request=s.SessionInputSerializer,
        responses={200: s.SessionSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        session = self.get_object()
        serializer = s.SessionInputSerializer(data=request.data, partial=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        fields = serializer.service_kwargs()
        if "lat" not in request.data:
            fields.pop("location", None)
        session = session_services.session_update(session=session, actor=request.user, **fields)
        return Response(self.reread(session))

    @extend_schema(
        summary="Cancel a session (officers); the people on it are told",
        request=None,
        responses={200: s.SessionSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, station=None, pk=None):
        session = session_services.session_cancel(session=self.get_object(), actor=request.user)
        return Response(self.reread(session))

    @extend_schema(
        summary="Enrol: oneself (no body), or, for officers, a volunteer or a whole team",
        request=s.EnrolInputSerializer,
        responses={201: s.EnrolmentSerializer, 200: s.TeamEnrolResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def enrol(self, request, station=None, pk=None):
        session = self.get_object()
        data = validated(s.EnrolInputSerializer, request)
        if data["volunteer"] is None and data["team"] is None:
            if not has_station_perm(request.user, self.tenant, "session.enrol"):
                self.permission_denied(request)
            enrolment = session_services.enrolment_request(
                session=session, volunteer=own_volunteer(request), actor=request.user
            )
            return Response(s.EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)
        if not has_station_perm(request.user, self.tenant, "session.enrol_others"):
            self.permission_denied(request)
        if data["team"] is not None:
            counts = session_services.team_enrol(session=session, team=data["team"], actor=request.user)
            return Response(s.TeamEnrolResultSerializer(counts).data)
        enrolment = session_services.enrolment_request(
            session=session, volunteer=data["volunteer"], actor=request.user, source=Enrolment.Source.OFFICER
        )
        return Response(s.EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record the whole session at once (staff or its trainer); one bad row refuses all",
        request=s.AttendanceInputSerializer,
        responses={200: s.EnrolmentSerializer(many=True)},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, station=None, pk=None):
        session = self.get_object()
        if not (
            has_station_perm(request.user, self.tenant, "course.manage")
            or session.trainer_id == request.user.pk
        ):
            self.permission_denied(request)
        data = validated(s.AttendanceInputSerializer, request)
        rows = [
            attendance_services.AttendanceRow(
                enrolment_id=r["enrolment"], attendance=r["attendance"], result=r["result"], score=r["score"]
            )
            for r in data["rows"]
        ]
        enrolments = attendance_services.attendance_record(session=session, actor=request.user, rows=rows)
        return Response(s.EnrolmentSerializer(enrolments, many=True).data)

    @extend_schema(
        summary="Check in by the session's QR code (the volunteer themselves), with the phone's location",
        request=s.SessionCheckInSerializer,
        responses={200: s.EnrolmentSerializer},
    )
    @action(detail=False, methods=["post"], url_path="check-in")
    def check_in(self, request, station=None):
        serializer = s.SessionCheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrolment = attendance_services.attendance_qr_checkin(
            code=serializer.validated_data["code"],
            volunteer=own_volunteer(request),
            location=serializer.location(),
        )
        return Response(s.EnrolmentSerializer(enrolment).data)


def enrolments_visible(request, tenant):
    everyone = has_station_perm(request.user, tenant, "certificate.view_all")
    volunteer = None if everyone else volunteer_for_user(tenant=tenant, user=request.user)
    return session_selectors.enrolment_list(tenant=tenant, volunteer=volunteer, everyone=everyone)


@extend_schema_view(
    list=extend_schema(summary="Enrolments: one's own, or everyone's for staff and bureau viewers"),
    retrieve=extend_schema(summary="One enrolment"),
)
class EnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Enrolment
    serializer_class = s.EnrolmentSerializer
    station_permissions = {"list": "course.view", "retrieve": "course.view", "withdraw": "course.view"}

    def station_queryset(self):
        enrolments = enrolments_visible(self.request, self.tenant)
        session = self.request.query_params.get("session", "")
        return enrolments.filter(session_id=int(session)) if session.isdigit() else enrolments

    @extend_schema(
        summary="Withdraw (one's own enrolment, or any for staff); the first waiting is promoted",
        request=None,
        responses={200: s.EnrolmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, station=None, pk=None):
        enrolment = self.get_object()
        volunteer = volunteer_for_user(tenant=self.tenant, user=request.user)
        if enrolment.volunteer_id != getattr(volunteer, "pk", None) and not has_station_perm(
            request.user, self.tenant, "session.enrol_others"
        ):
            self.permission_denied(request)
        enrolment = session_services.enrolment_withdraw(enrolment=enrolment, actor=request.user)
        return Response(s.EnrolmentSerializer(enrolment).data)


@extend_schema_view(
    list=extend_schema(summary="Recorded attendance and results (filter with ?session=)"),
    retrieve=extend_schema(summary="One recorded result"),
)
class ResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Enrolment
    serializer_class = s.EnrolmentSerializer
    station_permissions = {"list": "course.view", "retrieve": "course.view"}

    def station_queryset(self):
        results = enrolments_visible(self.request, self.tenant).exclude(
            attendance=Enrolment.Attendance.UNRECORDED
        )
        session = self.request.query_params.get("session", "")
        return results.filter(session_id=int(session)) if session.isdigit() else results


@extend_schema_view(
    list=extend_schema(summary="Certificates: one's own, or the station's for staff and bureau viewers"),
    retrieve=extend_schema(summary="One certificate"),
)
class CertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Certificate
    serializer_class = s.CertificateSerializer
    station_permissions = {"list": "course.view", "retrieve": "course.view", "revoke": "certificate.revoke"}

    def station_queryset(self):
        everyone = has_station_perm(self.request.user, self.tenant, "certificate.view_all")
        volunteer = None if everyone else volunteer_for_user(tenant=self.tenant, user=self.request.user)
        return record_selectors.certificate_list(tenant=self.tenant, volunteer=volunteer, everyone=everyone)

    @extend_schema(
        summary="Revoke a certificate (officers), saying why",
        request=s.RevokeInputSerializer,
        responses={200: s.CertificateSerializer},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, station=None, pk=None):
        certificate = self.get_object()
        data = validated(s.RevokeInputSerializer, request)
        certificate = certificate_services.certificate_revoke(
            certificate=certificate, actor=request.user, reason=data["reason"]
        )
        return Response(s.CertificateSerializer(certificate).data)


class VerifyView(APIView):
    """Public: a certificate by its code. The course, the validity and the holder's name only."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="Verify a certificate by its code (public)", responses={200: s.VerificationSerializer}
    )
    def get(self, request, station=None, code=None):
        tenant = request.tenant
        if tenant is None or tenant.is_bureau:
            raise Http404
        try:
            certificate = record_selectors.certificate_by_code(tenant, code)
        except DomainError as err:
            raise NotFound(err.message) from None
        state = record_selectors.certificate_state(certificate, timezone.now())
        return Response(
            s.VerificationSerializer(
                {
                    "holder": certificate.volunteer.full_name,
                    "course": certificate.course.name,
                    "station": tenant.name,
                    "issued_at": certificate.issued_at,
                    "expires_at": certificate.expires_at,
                    "revoked_at": certificate.revoked_at,
                    "state": state,
                }
            ).data
        )
