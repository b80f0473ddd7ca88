"""Uploaded files that no URL serves (evidence, print results, activity photos)."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


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
