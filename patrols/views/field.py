"""Pages of patrols in the field, under /s/<station>/patrols/.

Volunteers, on their phones: "My patrol" (their shifts, start a patrol), the patrol page (the route's
checkpoints on a map, notes, photos, end), the check-in page a checkpoint's QR code opens, and the
service worker that keeps these pages working without a signal. Officers: the duty board, the
patrols with hours per volunteer and team, one patrol, and the review queue of flagged check-ins.
Writes go through patrols.services.field; reads come from patrols.selectors.
"""

import datetime
import uuid

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from jointdefense.core.photos import photo_response
from jointdefense.tenancy.geo import geojson_geometry
from jointdefense.tenancy.roles import has_station_perm
from jointdefense.tenancy.views import BureauStationsMixin, StationViewMixin
from teams.selectors.volunteers import volunteer_for_user

from ..errors import PatrolError
from ..filters import CheckInReviewFilter
from ..forms.field import CheckInForm, NoteForm, PeriodForm, PhotoForm
from ..models import CheckIn, CheckInFlag, Checkpoint, Patrol, Shift
from ..selectors import field as selectors_field
from ..selectors import hours
from ..selectors.eligibility import patrol_refusal
from ..services import field


class VolunteerPageMixin(StationViewMixin):
    """A volunteer's own pages: the permission to patrol, and their volunteer record here."""

    permission_required = "patrol.walk"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.volunteer = volunteer_for_user(tenant=request.tenant, user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def require_volunteer(self):
        if self.volunteer is None:
            raise Http404
        return self.volunteer

    def own_patrol(self, pk):
        volunteer = self.require_volunteer()
        return get_object_or_404(
            Patrol.objects.filter(tenant=self.tenant, volunteer=volunteer).select_related("route", "shift"),
            pk=pk,
        )


# ---- the volunteer ----------------------------------------------------------------------------------


class MyPatrolView(VolunteerPageMixin, TemplateView):
    template_name = "patrols/field/my_patrol.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        volunteer = self.volunteer
        if volunteer is None:
            return {**ctx, "volunteer": None}
        recent = selectors_field.my_recent_patrols(volunteer=volunteer)
        for p in recent:
            p.hours = hours.hours_of(p)
        since = timezone.now() - datetime.timedelta(days=30)
        ctx.update(
            volunteer=volunteer,
            refusal=patrol_refusal(volunteer),
            active=selectors_field.active_patrol(volunteer=volunteer),
            shifts=selectors_field.my_shifts(volunteer=volunteer),
            recent=recent,
            hours_30_days=hours.volunteer_hours(volunteer=volunteer, since=since),
        )
        return ctx


class PatrolStartView(VolunteerPageMixin, View):
    http_method_names = ["post"]

    def post(self, request, station, pk):
        volunteer = self.require_volunteer()
        shift = get_object_or_404(Shift.objects.filter(tenant=self.tenant).select_related("route"), pk=pk)
        try:
            patrol = field.patrol_start(shift=shift, volunteer=volunteer, actor=request.user)
        except PatrolError as err:
            messages.error(request, err.message)
            return redirect("patrols:my-patrol", station=station)
        messages.success(request, _("Your patrol has started. Scan the QR code at each checkpoint."))
        return redirect("patrols:patrol", station=station, pk=patrol.pk)


@method_decorator(never_cache, name="dispatch")
class PatrolView(VolunteerPageMixin, TemplateView):
    """The volunteer's patrol: works offline once loaded (the service worker keeps it)."""

    template_name = "patrols/field/patrol.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        patrol = self.own_patrol(self.kwargs["pk"])
        checkpoints = selectors_field.patrol_checkpoints(patrol=patrol)
        check_ins = list(selectors_field.patrol_check_ins(patrol=patrol))
        ctx.update(
            patrol=patrol,
            checkpoints=checkpoints,
            check_ins=check_ins,
            done_count=sum(1 for cp in checkpoints if cp.done),
            hours=hours.patrol_hours(patrol),
            photos=list(patrol.photos.filter(tenant=self.tenant)),
            map_data=selectors_field.patrol_map_data(patrol=patrol, checkpoints=checkpoints),
            note_form=kwargs.get("note_form") or NoteForm(),
            photo_form=kwargs.get("photo_form") or PhotoForm(),
        )
        return ctx


class PatrolPhotoFileView(View):
    """A patrol photo, to the volunteer who took it and to those who see the patrol's page; anyone
    else (other stations' officers too) gets the 404 of a photo that does not exist."""

    http_method_names = ["get", "head"]

    def get(self, request, station, pk):
        if request.tenant is None or request.tenant.is_bureau:
            raise Http404
        photo = selectors_field.patrol_photo_for_viewer(tenant=request.tenant, pk=pk, user=request.user)
        if photo is None:
            raise Http404
        return photo_response(request, photo.image, filename=f"patrol-photo-{photo.pk}.jpg")


class PatrolNoteView(VolunteerPageMixin, View):
    http_method_names = ["post"]

    def post(self, request, station, pk):
        patrol = self.own_patrol(pk)
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                field.patrol_note_add(patrol=patrol, volunteer=self.volunteer, **form.service_kwargs())
            except PatrolError as err:
                messages.error(request, err.message)
            else:
                messages.success(request, _("Note added."))
        else:
            messages.error(request, _("Write something first."))
        return redirect("patrols:patrol", station=station, pk=pk)


class PatrolPhotoView(VolunteerPageMixin, View):
    http_method_names = ["post"]

    def post(self, request, station, pk):
        patrol = self.own_patrol(pk)
        form = PhotoForm(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for e in errors:
                    messages.error(request, e)
            return redirect("patrols:patrol", station=station, pk=pk)
        try:
            field.patrol_photo_add(patrol=patrol, volunteer=self.volunteer, **form.service_kwargs())
        except PatrolError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("Photo added; its location data was removed."))
        return redirect("patrols:patrol", station=station, pk=pk)


class PatrolEndView(VolunteerPageMixin, View):
    http_method_names = ["post"]

    def post(self, request, station, pk):
        patrol = self.own_patrol(pk)
        try:
            field.patrol_end(patrol=patrol, volunteer=self.volunteer, actor=request.user)
        except PatrolError as err:
            messages.error(request, err.message)
            return redirect("patrols:patrol", station=station, pk=pk)
        messages.success(
            request,
            _("Patrol ended: %(hours)s hours from your check-ins. Thank you.")
            % {"hours": f"{hours.patrol_hours(patrol):.1f}"},
        )
        return redirect("patrols:my-patrol", station=station)


def check_in_messages():
    """What the check-in script says, translated here (the script has no catalogue of its own)."""
    return {
        "locating": _("Finding your location…"),
        "located": _("Location found (± %s m)."),
        "noLocation": _("Your location is not available; the check-in will be sent without it and flagged."),
        "sending": _("Sending…"),
        "done": _("Checked in."),
        "flagged": _("Checked in, with a note for the officer:"),
        "queued": _(
            "No signal: the check-in is kept on this phone and will be sent when you are back online."
        ),
        "refused": _("The check-in was refused:"),
    }


@method_decorator(never_cache, name="dispatch")
class CheckInView(VolunteerPageMixin, View):
    """The page a checkpoint's QR code opens: it asks for the phone's location and checks in."""

    template_name = "patrols/field/check_in.html"

    def get_checkpoint(self, qr_token):
        return get_object_or_404(
            Checkpoint.objects.filter(tenant=self.tenant, is_active=True).select_related("route"),
            qr_token=qr_token,
        )

    def context(self, checkpoint, form):
        volunteer = self.volunteer
        patrol = selectors_field.active_patrol(volunteer=volunteer) if volunteer else None
        return {
            "checkpoint": checkpoint,
            "patrol": patrol,
            "volunteer": volunteer,
            "form": form,
            "other_route": patrol is not None and patrol.route_id != checkpoint.route_id,
            "js_messages": check_in_messages(),
        }

    def get(self, request, station, qr_token):
        checkpoint = self.get_checkpoint(qr_token)
        form = CheckInForm(initial={"client_id": uuid.uuid4()})
        return render(request, self.template_name, self.context(checkpoint, form))

    def post(self, request, station, qr_token):
        checkpoint = self.get_checkpoint(qr_token)
        volunteer = self.require_volunteer()
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                check_in, _created = field.check_in_submit(
                    volunteer=volunteer, **form.service_kwargs(qr_token=checkpoint.qr_token)
                )
            except PatrolError as err:
                form.add_error(None, err.message)
            else:
                if check_in.flags:
                    messages.warning(
                        request,
                        _("Checked in, with a note for the officer: %(why)s")
                        % {"why": check_in.flag_details},
                    )
                else:
                    messages.success(request, _("Checked in at %(name)s.") % {"name": checkpoint.name})
                return redirect("patrols:patrol", station=station, pk=check_in.patrol_id)
        return render(request, self.template_name, self.context(checkpoint, form), status=400)


class CheckInOfflineView(VolunteerPageMixin, TemplateView):
    """The check-in page the service worker shows for any checkpoint when there is no signal: the
    checkpoint comes from the address, the check-in waits in the phone until it can be sent."""

    template_name = "patrols/field/check_in.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "offline_shell": True,
            "checkpoint": None,
            "volunteer": self.volunteer,
            "js_messages": check_in_messages(),
        }


class ServiceWorkerView(VolunteerPageMixin, View):
    """The service worker, served from /s/<station>/patrols/ so that its scope is the patrol pages."""

    def get(self, request, station):
        path = finders.find("patrols/service-worker.js")
        with open(path, encoding="utf-8") as fh:
            source = fh.read()
        scope = reverse("patrols:my-patrol", kwargs={"station": station}).rsplit("me/", 1)[0]
        source = source.replace("__SCOPE__", scope).replace(
            "__OFFLINE__", reverse("patrols:check-in-offline", kwargs={"station": station})
        )
        response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
        response["Service-Worker-Allowed"] = scope
        response["Cache-Control"] = "no-cache"
        return response


# ---- officers ---------------------------------------------------------------------------------------


class BoardView(BureauStationsMixin, StationViewMixin, TemplateView):
    permission_required = "patrol.view_board"
    template_name = "patrols/field/board.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "board": selectors_field.board_data(tenant=self.tenant),
            "boundary": geojson_geometry(self.tenant.boundary) if self.tenant.boundary else None,
        }


class BoardDataView(StationViewMixin, View):
    """What the duty board polls every 15 seconds."""

    permission_required = "patrol.view_board"

    def get(self, request, station):
        response = JsonResponse(selectors_field.board_data(tenant=self.tenant))
        response["Cache-Control"] = "no-store"
        return response


class PatrolListView(BureauStationsMixin, StationViewMixin, TemplateView):
    """Patrols over a period, with hours per volunteer and per team, all from check-ins."""

    permission_required = "patrol.view_records"
    template_name = "patrols/field/patrol_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        form = PeriodForm(self.request.GET or None)
        start, end, start_day, end_day = form.period()
        team_ids = selectors_field.team_ids_visible_to(tenant=self.tenant, user=self.request.user)
        page = Paginator(
            selectors_field.patrol_list(tenant=self.tenant, start=start, end=end, team_ids=team_ids),
            self.paginate_by,
        ).get_page(self.request.GET.get("page"))
        for p in page.object_list:
            p.hours = hours.hours_of(p)
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "start_day": start_day,
            "end_day": end_day,
            "report": hours.hours_report(tenant=self.tenant, start=start, end=end, team_ids=team_ids),
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "patrols": page.object_list,
            "review_count": selectors_field.review_queue(tenant=self.tenant).count()
            if has_station_perm(self.request.user, self.tenant, "checkin.review")
            else 0,
        }


class PatrolDetailView(StationViewMixin, TemplateView):
    permission_required = "patrol.view_records"
    template_name = "patrols/field/patrol_detail.html"

    def get_context_data(self, **kwargs):
        team_ids = selectors_field.team_ids_visible_to(tenant=self.tenant, user=self.request.user)
        patrol = get_object_or_404(
            selectors_field.visible_patrols(tenant=self.tenant, team_ids=team_ids).select_related(
                "route", "shift", "shift__team", "volunteer"
            ),
            pk=self.kwargs["pk"],
        )
        checkpoints = selectors_field.patrol_checkpoints(patrol=patrol)
        check_ins = with_flag_labels(list(selectors_field.patrol_check_ins(patrol=patrol)))
        return {
            **super().get_context_data(**kwargs),
            "patrol": patrol,
            "checkpoints": checkpoints,
            "check_ins": check_ins,
            "hours": hours.patrol_hours(patrol),
            "photos": list(patrol.photos.filter(tenant=self.tenant)),
            "map_data": selectors_field.patrol_map_data(
                patrol=patrol, checkpoints=checkpoints, check_ins=check_ins
            ),
            "can_review": has_station_perm(self.request.user, self.tenant, "checkin.review"),
        }


def with_flag_labels(check_ins):
    """Each check-in with ``.flag_labels``: its flags' names in the reader's language (the reasons
    were written in the volunteer's)."""
    labels = dict(CheckInFlag.choices)
    for ci in check_ins:
        ci.flag_labels = [labels.get(f, f) for f in ci.flags]
    return check_ins


class ReviewQueueView(StationViewMixin, TemplateView):
    permission_required = "checkin.review"
    template_name = "patrols/field/review_queue.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        if not query.getlist("review"):
            query.setlist("review", [CheckIn.Review.FLAGGED])
        filterset = CheckInReviewFilter(
            query, queryset=selectors_field.check_ins_to_review(tenant=self.tenant), request=self.request
        )
        page = Paginator(filterset.qs, 50).get_page(self.request.GET.get("page"))
        return {
            **super().get_context_data(**kwargs),
            "filter": filterset,
            "filtering": query.getlist("review") != [CheckIn.Review.FLAGGED] or bool(query.get("start")),
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "check_ins": with_flag_labels(list(page.object_list)),
        }


class CheckInReviewView(StationViewMixin, View):
    permission_required = "checkin.review"
    http_method_names = ["post"]

    def post(self, request, station, pk):
        check_in = get_object_or_404(CheckIn.objects.filter(tenant=self.tenant), pk=pk)
        try:
            field.check_in_review(
                check_in=check_in,
                actor=request.user,
                decision=request.POST.get("decision", ""),
                note=request.POST.get("note", ""),
            )
        except PatrolError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("Check-in reviewed."))
        target = request.POST.get("next")
        if target == "patrol":
            return redirect("patrols:patrol-detail", station=station, pk=check_in.patrol_id)
        return redirect("patrols:review-queue", station=station)
