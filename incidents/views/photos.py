"""A report's photo, to the viewers selectors.photos allows: the reporter by their tracking page's
signed link, the station's officers, everyone for a photo marked public. Anyone else: 404."""

from django.http import Http404
from django.views import View

from jointdefense.core.photos import photo_response

from ..selectors.photos import report_photo_for_viewer


class ReportPhotoView(View):
    http_method_names = ["get", "head"]

    def get(self, request, *args, pk, **kwargs):
        tenant = request.tenant
        if tenant is None or tenant.is_bureau:
            raise Http404
        photo = report_photo_for_viewer(
            tenant=tenant, pk=pk, user=request.user, token=request.GET.get("t", "")
        )
        if photo is None:
            raise Http404
        return photo_response(request, photo.image, filename=f"report-photo-{photo.pk}.jpg")
