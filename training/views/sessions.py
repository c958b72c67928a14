"""Session pages under /s/<station>/training/sessions/: the upcoming sessions (volunteers enrol,
withdraw and see their place on the waiting list), creating, editing and cancelling a session, a
session's page with its enrolled and waiting lists (officers enrol a volunteer or a whole team),
THE attendance page (the whole session on one form), the printable check-in QR code and the page
that QR code opens on a volunteer's phone.

Writes go through training.services.sessions and .attendance; a refusal is shown on the page with
a 400 and changes nothing."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from jointdefense.core.errors import DomainError
from jointdefense.core.forms import add_domain_error
from jointdefense.core.views import InvalidFormIs400Mixin

from ..forms.sessions import AttendanceFormSet, CheckInForm, EnrolTeamForm, EnrolVolunteerForm, SessionForm
from ..models import Course, Enrolment, TrainingSession
from ..selectors import sessions as selectors
from ..services import attendance as attendance_services
from ..services import sessions as services
from .common import TrainingViewMixin, qr_svg


class SessionListView(TrainingViewMixin, TemplateView):
    """Upcoming sessions; a volunteer sees their own enrolment (or waiting place) on each."""

    permission_required = "course.view"
    template_name = "training/session_list.html"

    def get_context_data(self, **kwargs):
        course = None
        if self.request.GET.get("course", "").isdigit():
            course = Course.objects.filter(tenant=self.tenant, pk=int(self.request.GET["course"])).first()
        sessions = list(selectors.upcoming_sessions(self.tenant, course=course))
        mine = {}
        if self.volunteer is not None:
            mine = {e.session_id: e for e in selectors.volunteer_enrolments(self.volunteer)}
        for session in sessions:
            session.my_enrolment = mine.get(session.pk)
        return {
            **super().get_context_data(**kwargs),
            "sessions": sessions,
            "course": course,
            "volunteer": self.volunteer,
            "can_manage": self.can("course.manage"),
        }


def station_session(view, pk, *, for_update=False):
    return get_object_or_404(
        TrainingSession.objects.filter(tenant=view.tenant).select_related("course", "trainer"), pk=pk
    )


class SessionDetailView(TrainingViewMixin, TemplateView):
    permission_required = "course.view"
    template_name = "training/session_detail.html"

    def context(self, session, **extra):
        staff = self.can("session.enrol_others")
        detail = selectors.session_detail(session)
        my_enrolment = None
        if self.volunteer is not None:
            my_enrolment = next(
                (e for e in [*detail.enrolled, *detail.waiting] if e.volunteer_id == self.volunteer.pk), None
            )
            if my_enrolment is not None:
                # the waiting list is served in requested_at order
                my_enrolment.waiting_position = next(
                    (n for n, e in enumerate(detail.waiting, start=1) if e.pk == my_enrolment.pk), None
                )
        return {
            "session": session,
            "detail": detail,
            "staff": staff,
            "may_record": self.may_record(session),
            "volunteer": self.volunteer,
            "my_enrolment": my_enrolment,
            "volunteer_form": extra.pop("volunteer_form", None) or EnrolVolunteerForm(tenant=self.tenant),
            "team_form": extra.pop("team_form", None) or EnrolTeamForm(tenant=self.tenant),
            **extra,
        }

    def may_record(self, session):
        if self.can("course.manage"):
            return True
        return self.can("session.record") and session.trainer_id == self.request.user.pk

    def get_context_data(self, **kwargs):
        session = station_session(self, self.kwargs["pk"])
        return {**super().get_context_data(**kwargs), **self.context(session)}

    def refuse(self, session, message, **extra):
        """The session page again, with the refusal, as a 400."""
        messages.error(self.request, message)
        return render(self.request, self.template_name, self.context(session, **extra), status=400)


class SessionFormMixin(InvalidFormIs400Mixin, TrainingViewMixin):
    permission_required = "course.manage"
    template_name = "training/session_form.html"
    form_class = SessionForm
    session = None

    def get_form_kwargs(self):
        instance = self.session or TrainingSession(tenant=self.tenant)
        kwargs = {**super().get_form_kwargs(), "tenant": self.tenant, "instance": instance}
        if self.session is None and self.request.GET.get("course", "").isdigit():
            kwargs.setdefault("initial", {})["course"] = int(self.request.GET["course"])
        return kwargs

    def form_valid(self, form):
        try:
            if self.session is None:
                session = services.session_create(**form.service_kwargs(), actor=self.request.user)
            else:
                session = services.session_update(**form.service_kwargs(), actor=self.request.user)
        except DomainError as err:
            add_domain_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, _("Session saved."))
        return redirect("training:session-detail", station=self.tenant.slug, pk=session.pk)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "session": self.session}


class SessionCreateView(SessionFormMixin, FormView):
    pass


class SessionEditView(SessionFormMixin, FormView):
    def get_form_kwargs(self):
        self.session = station_session(self, self.kwargs["pk"])
        return super().get_form_kwargs()


class SessionCancelView(SessionDetailView):
    permission_required = "course.manage"

    def get(self, request, *args, **kwargs):
        return redirect("training:session-detail", station=self.tenant.slug, pk=kwargs["pk"])

    def post(self, request, station, pk):
        session = station_session(self, pk)
        try:
            services.session_cancel(session=session, actor=request.user)
        except DomainError as err:
            return self.refuse(session, err.message)
        messages.success(request, _("The session is cancelled; the people on it are told."))
        return redirect("training:session-detail", station=station, pk=pk)


class SessionEnrolView(SessionDetailView):
    """A volunteer enrols themselves (or joins the waiting list)."""

    permission_required = "session.enrol"

    def get(self, request, *args, **kwargs):
        return redirect("training:session-detail", station=self.tenant.slug, pk=kwargs["pk"])

    def post(self, request, station, pk):
        volunteer = self.require_volunteer()
        session = station_session(self, pk)
        try:
            enrolment = services.enrolment_request(session=session, volunteer=volunteer, actor=request.user)
        except DomainError as err:
            return self.refuse(session, err.message)
        if enrolment.status == Enrolment.Status.WAITING:
            messages.info(
                request,
                _("The session is full: you are on the waiting list and will be told when a place frees up."),
            )
        else:
            messages.success(request, _("You are enrolled."))
        return redirect("training:session-detail", station=station, pk=pk)


class SessionWithdrawView(SessionEnrolView):
    def post(self, request, station, pk):
        volunteer = self.require_volunteer()
        session = station_session(self, pk)
        enrolment = get_object_or_404(
            Enrolment.objects.filter(tenant=self.tenant, session=session, volunteer=volunteer).exclude(
                status=Enrolment.Status.WITHDRAWN
            )
        )
        try:
            services.enrolment_withdraw(enrolment=enrolment, actor=request.user)
        except DomainError as err:
            return self.refuse(session, err.message)
        messages.success(request, _("You have withdrawn from the session."))
        return redirect("training:session-detail", station=station, pk=pk)


class SessionEnrolOthersView(SessionDetailView):
    """An officer enrols one volunteer (``volunteer``) or a whole team (``team``)."""

    permission_required = "session.enrol_others"

    def get(self, request, *args, **kwargs):
        return redirect("training:session-detail", station=self.tenant.slug, pk=kwargs["pk"])

    def post(self, request, station, pk):
        session = station_session(self, pk)
        if "team" in request.POST:
            form = EnrolTeamForm(request.POST, tenant=self.tenant)
            if not form.is_valid():
                return self.refuse(session, _("Choose one of the station's teams."), team_form=form)
            try:
                counts = services.team_enrol(
                    session=session, team=form.cleaned_data["team"], actor=request.user
                )
            except DomainError as err:
                return self.refuse(session, err.message, team_form=form)
            messages.success(
                request,
                _(
                    "%(enrolled)s enrolled, %(waiting)s on the waiting list, "
                    "%(skipped)s skipped (already on it or not active)."
                )
                % counts,
            )
            return redirect("training:session-detail", station=station, pk=pk)
        form = EnrolVolunteerForm(request.POST, tenant=self.tenant)
        if not form.is_valid():
            return self.refuse(session, _("Choose one of the station's volunteers."), volunteer_form=form)
        try:
            enrolment = services.enrolment_request(
                session=session,
                volunteer=form.cleaned_data["volunteer"],
                actor=request.user,
                source=Enrolment.Source.OFFICER,
            )
        except DomainError as err:
            return self.refuse(session, err.message, volunteer_form=form)
        messages.success(
            request,
            _("%(name)s: %(status)s.")
            % {"name": enrolment.volunteer.full_name, "status": enrolment.get_status_display()},
        )
        return redirect("training:session-detail", station=station, pk=pk)


class AttendanceView(TrainingViewMixin, View):
    """The whole session on one form: present / absent / excused and the result or score of each
    enrolled volunteer. One bad row refuses the page, and nothing is saved."""

    permission_required = "session.record"
    template_name = "training/attendance.html"

    def get_session(self):
        session = station_session(self, self.kwargs["pk"])
        if not (self.can("course.manage") or session.trainer_id == self.request.user.pk):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return session

    def enrolments(self, session):
        return list(
            Enrolment.objects.filter(tenant=self.tenant, session=session, status=Enrolment.Status.ENROLLED)
            .select_related("volunteer")
            .order_by("volunteer__full_name", "pk")
        )

    def render_page(self, session, formset, status=200):
        return render(
            self.request,
            self.template_name,
            {"session": session, "course": session.course, "formset": formset},
            status=status,
        )

    def get(self, request, station, pk):
        session = self.get_session()
        return self.render_page(session, AttendanceFormSet(enrolments=self.enrolments(session)))

    def post(self, request, station, pk):
        session = self.get_session()
        formset = AttendanceFormSet(request.POST, enrolments=self.enrolments(session))
        if formset.is_valid():
            rows = [attendance_services.AttendanceRow(**row) for row in formset.rows()]
            try:
                attendance_services.attendance_record(session=session, actor=request.user, rows=rows)
            except DomainError as err:
                formset.non_form_errors().append(err.message)
            else:
                messages.success(request, _("Attendance and results saved."))
                return redirect("training:session-detail", station=station, pk=pk)
        return self.render_page(session, formset, status=400)


class SessionQRView(AttendanceView):
    """A printable page with the session's check-in QR code."""

    template_name = "training/session_qr.html"

    def get(self, request, station, pk):
        session = self.get_session()
        url = request.build_absolute_uri(
            reverse("training:check-in", kwargs={"station": station, "code": session.checkin_code})
        )
        return render(request, self.template_name, {"session": session, "url": url, "svg": qr_svg(url)})

    def post(self, request, station, pk):
        return redirect("training:session-qr", station=station, pk=pk)


def check_in_messages():
    return {
        "locating": _("Finding your location…"),
        "located": _("Location found (within %s m)."),
        "noLocation": _("Your location is not available: allow location for this page, then try again."),
    }


class CheckInView(TrainingViewMixin, View):
    """The page a session's QR code opens on a volunteer's phone: it asks for the location and
    checks in (static/training/check-in.js fills the location fields)."""

    permission_required = "session.enrol"
    template_name = "training/check_in.html"

    def get_session(self, code):
        return get_object_or_404(
            TrainingSession.objects.filter(tenant=self.tenant, is_cancelled=False).select_related("course"),
            checkin_code=code,
        )

    def render_page(self, session, form, status=200):
        ctx = {
            "session": session,
            "form": form,
            "volunteer": self.volunteer,
            "js_messages": check_in_messages(),
        }
        return render(self.request, self.template_name, ctx, status=status)

    def get(self, request, station, code):
        return self.render_page(self.get_session(code), CheckInForm())

    def post(self, request, station, code):
        session = self.get_session(code)
        volunteer = self.require_volunteer()
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                attendance_services.attendance_qr_checkin(
                    code=code, volunteer=volunteer, location=form.location()
                )
            except DomainError as err:
                form.add_error(None, err.message)
            else:
                messages.success(request, _("Checked in to “%(course)s”.") % {"course": session.course.name})
                return redirect("training:my-training", station=station)
        return self.render_page(session, form, status=400)
