"""Opening an uploaded package without trusting it.

Every entry of the zip is checked before a single byte is written anywhere: a path that would
leave the course's folder (`..`, absolute, drive letters), a symbolic link, an encrypted
entry, a duplicate name, too many entries, too many bytes once uncompressed, or a compression
ratio only a zip bomb has, fails the whole import with a message saying which entry and why.
Entries are never "cleaned" into something else, because a package that tries any of this is
not one to half-import. Reading stays bounded afterwards too: an entry never yields more bytes
than it declared.
"""

import re
import stat
import zipfile
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings

DRIVE = re.compile(r"^[A-Za-z]:")
# Noise that archivers add; never part of a course.
SKIPPED_PREFIXES = ("__MACOSX/",)
CHUNK = 1024 * 1024
# Entries this small cannot carry a bomb whatever their ratio (tiny text files compress well).
RATIO_FLOOR_BYTES = 1024 * 1024


class PackageError(Exception):
    """The package cannot be imported; the message says why, for the import job."""


@dataclass
class Package:
    """A checked zip: entries by their normalised path (always `/`-separated, relative)."""

    archive: zipfile.ZipFile
    entries: dict[str, zipfile.ZipInfo]
    prefix: str = ""
    _lower: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self._lower = {path.lower(): path for path in self.entries}

    def names(self) -> list[str]:
        """Paths relative to the package root (after `rebase`)."""
        size = len(self.prefix)
        return [path[size:] for path in self.entries if path.startswith(self.prefix)]

    def find(self, path: str) -> str | None:
        """The stored path of `path` (relative to the root): exact, else case-insensitive."""
        full = self.prefix + path
        if full in self.entries:
            return path
        match = self._lower.get(full.lower())
        return match[len(self.prefix) :] if match else None

    def read(self, path: str, *, limit: int) -> bytes:
        """The bytes of one entry, refusing entries larger than `limit`."""
        info = self.entries[self.prefix + path]
        if info.file_size > limit:
            raise PackageError(f"'{path}' is larger than {limit} bytes.")
        with self.open(path) as stream:
            return stream.read()

    def open(self, path: str) -> "BoundedEntry":
        return BoundedEntry(self.archive, self.entries[self.prefix + path])

    def size(self, path: str) -> int:
        return self.entries[self.prefix + path].file_size

    def rebase(self, prefix: str) -> None:
        """Treat the folder `prefix` (ending with `/`) as the package root."""
        self.prefix = prefix


class BoundedEntry:
    """A readable entry that stops with an error once it gives more than it declared, and
    turns a corrupt entry (bad CRC, truncated data) into a `PackageError`."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo):
        self.info = info
        self.left = info.file_size
        try:
            self.stream = archive.open(info)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
            raise PackageError(f"'{info.filename}' cannot be read: {error}") from error

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(self.chunks())
        try:
            data = self.stream.read(min(size, self.left + 1))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise PackageError(f"'{self.info.filename}' is corrupt: {error}") from error
        self.left -= len(data)
        if self.left < 0:
            raise PackageError(f"'{self.info.filename}' holds more data than it declares.")
        return data

    def chunks(self):
        while True:
            data = self.read(CHUNK)
            if not data:
                return
            yield data

    def close(self) -> None:
        self.stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def entry_path(name: str) -> str | None:
    """The normalised relative path of an entry name, None for entries to skip (folders and
    archiver noise). Raises `PackageError` for names that would leave the package folder."""
    if "\x00" in name:
        raise PackageError(f"Entry {name!r} has a NUL character in its name.")
    path = name.replace("\\", "/")
    if path.startswith("/") or DRIVE.match(path):
        raise PackageError(f"Entry '{name}' has an absolute path.")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise PackageError(f"Entry '{name}' points outside the package ('..').")
    if not parts or path.endswith("/"):
        return None
    normalised = "/".join(parts)
    if normalised.startswith(SKIPPED_PREFIXES) or parts[-1].startswith("._"):
        return None
    return normalised


def package_open(stream: IO[bytes], *, archive_size: int) -> Package:
    """Open and check a zip (see the module's docstring). `stream` must be seekable."""
    try:
        archive = zipfile.ZipFile(stream)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise PackageError(f"The file is not a readable zip archive ({error}).") from error
    if len(infos) > settings.COURSE_IMPORT_MAX_ENTRIES:
        raise PackageError(
            f"The package has {len(infos)} entries; at most "
            f"{settings.COURSE_IMPORT_MAX_ENTRIES} are accepted."
        )
    entries: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise PackageError(f"Entry '{info.filename}' is a symbolic link.")
        path = entry_path(info.filename)
        if path is None:
            continue
        if info.flag_bits & 0x1:
            raise PackageError(f"Entry '{info.filename}' is encrypted.")
        if path in entries:
            raise PackageError(f"Entry '{path}' appears twice in the package.")
        if (
            info.file_size > RATIO_FLOOR_BYTES
            and info.file_size > max(info.compress_size, 1) * settings.COURSE_IMPORT_MAX_RATIO
        ):
            raise PackageError(
                f"Entry '{path}' expands {info.file_size // max(info.compress_size, 1)} times; "
                "the package looks like a zip bomb."
            )
        total += info.file_size
        if total > settings.COURSE_IMPORT_MAX_UNCOMPRESSED_BYTES:
            raise PackageError(
                "The package is larger than "
                f"{settings.COURSE_IMPORT_MAX_UNCOMPRESSED_BYTES} bytes once uncompressed."
            )
        entries[path] = info
    if (
        total > RATIO_FLOOR_BYTES
        and total > max(archive_size, 1) * settings.COURSE_IMPORT_MAX_RATIO
    ):
        raise PackageError("The package expands too much; it looks like a zip bomb.")
    return Package(archive=archive, entries=entries)
