"""Uploaded files that no URL serves (evidence, print results, activity photos), and the static files."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from whitenoise.storage import CompressedManifestStaticFilesStorage


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT that have no URL: they are only ever streamed by a permission-checked view."""

    def __init__(self, subdir: str = "private"):
        self.subdir = subdir
        super().__init__(location=None, base_url=None)

    @property
    def base_location(self):  # read lazily so tests can point MEDIA_ROOT at a temp dir
        return Path(settings.MEDIA_ROOT) / self.subdir

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    def url(self, name):
        raise ValueError("private files have no public URL")

    def __eq__(self, other):
        return isinstance(other, PrivateStorage) and other.subdir == self.subdir


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage of the collected static files, each file's URL worked out once per process.

    The manifest is read when the storage is made and does not change while the process runs (a new
    collectstatic comes with a restart), so the hashed URL of `bootstrap.min.css` is the same on every page;
    Django parses, looks up and re-quotes it for every `{% static %}` tag (issue 23: 2 % of a ballot's CPU, for
    the receipt page's two stylesheets). Bounded, so an unbounded set of names cannot grow it forever."""

    KEEP = 1000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = super().url(name)
            if len(self._urls) < self.KEEP:
                self._urls[name] = url
            return url
