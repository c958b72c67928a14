"""Records under /s/<station>/training/: the volunteer's own training page (what is due, what they
hold, what expires, their sessions), a printable certificate with its QR code, the public
verification page that QR code opens (no login: course, validity and the holder's name only),
revoking a certificate, a volunteer's record for officers and team leaders, the station's
certificates and its compliance per role and per team."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from jointdefense.core.errors import DomainError
from teams.models import TeamMember, Volunteer
from teams.selectors.teams import teams_led_by

from ..forms.sessions import RevokeForm
from ..selectors import qualifications
from ..selectors import records as selectors
from ..selectors import sessions as session_selectors
from ..services import certificates as services
from .common import TrainingViewMixin, qr_svg


class MyTrainingView(TrainingViewMixin, TemplateView):
    """The volunteer's training page: what is due (with the next session with a free place), the
    certificates held and expiring, and the sessions they are on or waiting for."""

    permission_required = "session.enrol"
    template_name = "training/my_training.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        volunteer = self.volunteer
        if volunteer is None:
            return {**ctx, "volunteer": None}
        record = with_states(selectors.training_record(volunteer))
        # one query for every missing course's next session; the refusal is the gate's sentence
        # (training_refusal) from the same record
        nexts = qualifications.next_open_sessions(record.missing)
        due = [(course, nexts.get(course.pk)) for course in record.missing]
        refusal = None
        if record.missing:
            refusal = qualifications.refusal_sentence(volunteer, due[0][0], due[0][1])
        return {
            **ctx,
            "volunteer": volunteer,
            "record": record,
            "due": due,
            "refusal": refusal,
            "upcoming": session_selectors.upcoming_sessions(self.tenant)[:10],
        }


def with_states(record):
    """Each certificate of the record gets ``state`` (valid, expired, revoked, not_yet)."""
    for certificate in record.certificates:
        certificate.state = selectors.certificate_state(certificate, record.when)
    return record


def certificate_for(view, pk):
    """A certificate the user may see: their own, or any of the station's for staff and viewers."""
    everyone = view.can("certificate.view_all")
    volunteer = None if everyone else view.volunteer
    return get_object_or_404(
        selectors.certificate_list(tenant=view.tenant, volunteer=volunteer, everyone=everyone), pk=pk
    )


def verify_url(request, certificate):
    return request.build_absolute_uri(
        reverse("training:verify", kwargs={"station": certificate.tenant.slug, "code": certificate.code})
    )


class CertificatePrintView(TrainingViewMixin, TemplateView):
    """A printable certificate (print CSS) with the QR code of its verification page."""

    permission_required = "course.view"
    template_name = "training/certificate.html"

    def get_context_data(self, **kwargs):
        certificate = certificate_for(self, self.kwargs["pk"])
        url = verify_url(self.request, certificate)
        return {
            **super().get_context_data(**kwargs),
            "certificate": certificate,
            "now": timezone.now(),
            "verify_url": url,
            "svg": qr_svg(url),
            "can_revoke": self.can("certificate.revoke") and certificate.revoked_at is None,
            "revoke_form": kwargs.get("revoke_form") or RevokeForm(),
        }


class CertificateRevokeView(CertificatePrintView):
    permission_required = "certificate.revoke"

    def get(self, request, *args, **kwargs):
        return redirect("training:certificate", station=self.tenant.slug, pk=kwargs["pk"])

    def post(self, request, station, pk):
        certificate = certificate_for(self, pk)
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                services.certificate_revoke(
                    certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as err:
                form.add_error(None, err.message)
            else:
                messages.success(request, _("The certificate is revoked."))
                return redirect("training:certificate", station=station, pk=pk)
        return self.render_to_response(self.get_context_data(pk=pk, revoke_form=form), status=400)


class CertificateListView(TrainingViewMixin, ListView):
    permission_required = "certificate.view_all"
    template_name = "training/certificate_list.html"
    context_object_name = "certificates"
    paginate_by = 100

    def get_queryset(self):
        return selectors.certificate_list(tenant=self.tenant, volunteer=None, everyone=True)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "now": timezone.now()}


class VerifyView(View):
    """Public (no login): what a certificate's QR code opens. Course, validity, holder's name only.
    An unknown code is a 404 page saying so."""

    template_name = "training/verify.html"

    def get(self, request, station, code):
        tenant = request.tenant
        if tenant is None or tenant.is_bureau:
            raise Http404
        try:
            certificate = selectors.certificate_by_code(tenant, code)
        except DomainError as err:
            return render(request, "training/verify_unknown.html", {"message": err.message}, status=404)
        state = selectors.certificate_state(certificate, timezone.now())
        return render(request, self.template_name, {"certificate": certificate, "state": state})


class VolunteerRecordView(TrainingViewMixin, TemplateView):
    """A volunteer's training record for officers, bureau viewers and the volunteer's team leaders."""

    permission_required = "training.view_records"
    template_name = "training/volunteer_record.html"

    def get_context_data(self, **kwargs):
        volunteer = get_object_or_404(Volunteer.objects.filter(tenant=self.tenant), pk=self.kwargs["pk"])
        if not self.can("certificate.view_all"):
            # a team leader: only the members of the teams they lead
            leads = TeamMember.objects.filter(
                tenant=self.tenant,
                volunteer=volunteer,
                team_id__in=teams_led_by(tenant=self.tenant, user=self.request.user),
            ).exists()
            if not leads:
                raise PermissionDenied
        record = with_states(selectors.training_record(volunteer))
        return {
            **super().get_context_data(**kwargs),
            "volunteer": volunteer,
            "record": record,
            "refusal": qualifications.training_refusal(volunteer),
        }


class ComplianceView(TrainingViewMixin, TemplateView):
    """The share of active volunteers whose required certificates are all valid: overall, per
    volunteer role and per team."""

    permission_required = "training.view_compliance"
    template_name = "training/compliance.html"

    def get_context_data(self, **kwargs):
        figures = selectors.compliance(self.tenant)
        return {
            **super().get_context_data(**kwargs),
            "compliance": figures,
            "compliance_tables": [(_("Volunteer role"), figures.by_role), (_("Team"), figures.by_team)],
        }


class VolunteerRecordSearchView(TrainingViewMixin, ListView):
    """Officers find a volunteer to open their training record."""

    permission_required = "training.view_records"
    template_name = "training/record_list.html"
    context_object_name = "volunteers"
    paginate_by = 100

    def get_queryset(self):
        volunteers = Volunteer.objects.filter(
            tenant=self.tenant, status__in=[Volunteer.Status.APPROVED, Volunteer.Status.ACTIVE]
        )
        if not self.can("certificate.view_all"):
            led = teams_led_by(tenant=self.tenant, user=self.request.user)
            volunteers = volunteers.filter(team_memberships__team_id__in=led).distinct()
        query = self.request.GET.get("q", "").strip()[:100]
        if query:
            volunteers = volunteers.filter(full_name__icontains=query)
        return volunteers.order_by("full_name")
