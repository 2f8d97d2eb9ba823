"""Folder listings read once: every question about a bundle's folders (what a folder holds, is
this a file, how large) is answered from one ``os.scandir`` per folder.

A whole round has ~28,000 folders and ~54,000 files; asking the file system each time (is_dir,
exists, stat, listdir) costs more than all the checks. Entries are classified as the official
checker sees them (``os.path.isdir``/``isfile`` follow links); a folder that cannot be read
lists as empty. One ``Listing`` serves one process's work on one bundle.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class Entry:
    """One folder entry; its size is read only when asked for (one stat)."""

    __slots__ = ("_item", "_size", "is_dir", "is_file", "is_link", "name")

    def __init__(self, item: os.DirEntry[str]) -> None:
        self.name = item.name
        self._item = item
        self._size: int | None = None
        try:
            self.is_link = item.is_symlink()
        except (OSError, ValueError):
            self.is_link = False
        try:
            self.is_dir = item.is_dir()  # follows links (d_type, no system call otherwise)
            self.is_file = item.is_file()
        except (OSError, ValueError):  # a link that loops (ELOOP): neither, but still a link
            self.is_dir, self.is_file = False, False

    @property
    def exists(self) -> bool:
        """``os.path.exists``: links followed (a dangling or looping link does not exist)."""
        if not self.is_link or self.is_dir or self.is_file:
            return True
        try:
            self._item.stat()
        except (OSError, ValueError):
            return False
        return True

    @property
    def size(self) -> int:
        """The file's size (links followed); 0 for anything that is not a regular file."""
        if self._size is None:
            try:
                st = self._item.stat()
                self._size = st.st_size if stat.S_ISREG(st.st_mode) else 0
            except (OSError, ValueError):
                self._size = 0
        return self._size


class Listing:
    """Memoised folder listings of one bundle."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[str, Entry]] = {}

    def entries(self, folder: Path | str) -> dict[str, Entry]:
        key = os.fspath(folder)
        found = self._cache.get(key)
        if found is None:
            try:
                with os.scandir(key) as items:
                    found = {item.name: Entry(item) for item in items}
            except (OSError, ValueError):
                found = {}
            self._cache[key] = found
        return found

    def entry(self, path: Path) -> Entry | None:
        return self.entries(path.parent).get(path.name)

    def dirs(self, folder: Path | str) -> list[str]:
        return sorted(e.name for e in self.entries(folder).values() if e.is_dir)

    def files(self, folder: Path | str) -> list[str]:
        return sorted(e.name for e in self.entries(folder).values() if e.is_file)

    def files_in_order(self, folder: Path | str) -> list[str]:
        """File names in the order ``os.listdir`` gives them (the classic checker's order)."""
        return [e.name for e in self.entries(folder).values() if e.is_file]

    def is_dir(self, path: Path) -> bool:
        found = self.entry(path)
        return found is not None and found.is_dir

    def is_file(self, path: Path) -> bool:
        found = self.entry(path)
        return found is not None and found.is_file

    def exists(self, path: Path) -> bool:
        """``os.path.exists``: a file or folder (a dangling link does not exist)."""
        found = self.entry(path)
        return found is not None and found.exists

    def size(self, path: Path) -> int | None:
        found = self.entry(path)
        return found.size if found is not None and found.is_file else None
