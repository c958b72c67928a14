"""The API's renderers (REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]), in a module of their own: DRF
reads its settings while it imports, so this must not import the modules those settings name."""

from csp.constants import UNSAFE_INLINE
from rest_framework.renderers import BrowsableAPIRenderer as DRFBrowsableAPIRenderer


class BrowsableAPIRenderer(DRFBrowsableAPIRenderer):
    """DRF's browsable API, whose templates style a few buttons with ``style`` attributes and the
    highlighting of code with a <style> element: its pages (and only they) allow inline styles;
    scripts stay 'self' only."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
