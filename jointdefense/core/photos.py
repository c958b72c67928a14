"""Photos (residents' reports, patrols): checked to be images of sane size, re-encoded as JPEG
with no metadata.

Pillow decodes only what the bytes say they are; nothing here hands user bytes to GDAL or the
shell. A decompression bomb (a small file that expands to gigapixels) is refused before decoding.

Stored photos go out only through ``photo_response``, after the app's view has checked the viewer:
nothing serves MEDIA_URL.
"""

import io
import mimetypes
import uuid
import warnings

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponseBase
from django.utils.translation import gettext as _
from django_sendfile import sendfile
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import DomainError


class PhotoError(DomainError):
    """An upload that is not a photo we keep; each app turns it into its own error."""

    code = "photo"


MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is refused; 40 MP is plenty
MAX_SIDE = 2048  # stored photos are scaled down to this
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
# only these decoders ever look at an upload's bytes (no other Pillow plugin parses a header); the
# JPEG plugin itself hands multi-picture (MPO) files from phone cameras on
OPEN_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


def photo_reencode(upload) -> tuple[ContentFile, int, int]:
    """Return a clean JPEG of the uploaded image (EXIF, GPS, ICC, comments all dropped)."""
    name = getattr(upload, "name", "photo")
    if upload.size > MAX_BYTES:
        raise PhotoError(
            _("“%(name)s” is larger than %(mb)d MB.") % {"name": name, "mb": MAX_BYTES // 1024 // 1024},
            field="photos",
            code="photo_size",
        )
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data), formats=OPEN_FORMATS)
            if probe.format not in ALLOWED_FORMATS:
                raise PhotoError(
                    _("“%(name)s” is not a photo (JPEG, PNG or WebP).") % {"name": name},
                    field="photos",
                    code="photo_type",
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(
                    _("“%(name)s” has too many pixels; send a smaller photo.") % {"name": name},
                    field="photos",
                    code="photo_pixels",
                )
            probe.verify()
            image = Image.open(io.BytesIO(data), formats=OPEN_FORMATS)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(
            _("“%(name)s” has too many pixels; send a smaller photo.") % {"name": name},
            field="photos",
            code="photo_pixels",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoError(
            _("“%(name)s” is not a photo (JPEG, PNG or WebP).") % {"name": name},
            field="photos",
            code="photo_type",
        ) from None
    image = ImageOps.exif_transpose(image)  # keep the picture upright once the EXIF is gone
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.new("RGB", image.size)
    clean.paste(image)  # a fresh image carries no info dictionary at all
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg"), clean.width, clean.height


# the types photos are stored as; anything else goes out as bytes a browser will not render
SERVED_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
# the viewer's browser may keep a photo for an hour; no shared cache may keep it at all
PHOTO_CACHE_CONTROL = "private, max-age=3600"


def photo_response(request, file, *, filename: str) -> HttpResponseBase:
    """The stored ``file`` (a FieldFile) for a viewer the caller has already checked.

    The file system storage hands the path to django-sendfile2 (``SENDFILE_BACKEND``: Django
    reads the file in development and tests, nginx sends it on ``X-Accel-Redirect`` in production);
    any other storage (the suite's InMemoryStorage, an object store) is streamed from the storage.
    ``filename`` is what the browser is told (inline); a missing file is a 404.
    """
    content_type = mimetypes.guess_type(file.name)[0]
    if content_type not in SERVED_TYPES:
        content_type = "application/octet-stream"
    if isinstance(file.storage, FileSystemStorage):
        path = file.storage.path(file.name)
        response: HttpResponseBase = sendfile(
            request, path, attachment_filename=filename, mimetype=content_type
        )
    else:
        try:
            handle = file.storage.open(file.name, "rb")
        except OSError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type, filename=filename)
    response["Cache-Control"] = PHOTO_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
