"""Comparing a published archive with its rebuild: the verdict and every difference.

Two archives with the same bytes are decided by their digests. Otherwise each is listed
member by member (:mod:`pyprov.rebuild.archive`). A zip member whose compressed bytes,
method, CRC-32 and sizes are the same in both archives holds the same content: it is not
inflated. Every other member is inflated and hashed (a tar.gz is one compressed stream:
all of it), and the members whose content differs are read again, to diff them line by
line when they are text. Differences in content (members added, removed or changed, the file name) make the
verdict ``differs``; differences only in archive metadata (timestamps, order,
permissions, ownership, compression, container bytes) make it ``equivalent``.
"""

from __future__ import annotations

import dataclasses
import difflib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pyprov.rebuild.archive import (
    ArchiveError,
    Listing,
    Member,
    archive_format,
    read_listing,
    read_text,
    read_zip_pair,
    with_content,
    with_members,
)

Verdict = Literal["identical", "equivalent", "differs"]
DifferenceKind = Literal[
    "filename",
    "added",
    "removed",
    "changed",
    "kind",
    "timestamps",
    "order",
    "permissions",
    "ownership",
    "compression",
    "container",
]
CONTENT_KINDS: frozenset[DifferenceKind] = frozenset({"filename", "added", "removed", "changed", "kind"})
MAX_LISTED = 20  # members named per metadata difference
MAX_DIFF_LINES = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Difference:
    """One difference between the published archive and the rebuild."""

    kind: DifferenceKind
    detail: str
    """One line for people: what differs, published value first."""
    members: tuple[str, ...] = ()
    """The members concerned (at most ``MAX_LISTED`` for metadata differences)."""
    count: int = 0
    """How many members are concerned in all."""
    diff: str | None = None
    """A unified diff (published → rebuilt), for a changed text member."""
    published: dict[str, Any] = field(default_factory=dict)
    rebuilt: dict[str, Any] = field(default_factory=dict)

    @property
    def content(self) -> bool:
        """Whether this difference is in what the archive holds (not in how it holds it)."""
        return self.kind in CONTENT_KINDS

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``schemas/rebuild-report-v1.schema.json``)."""
        data: dict[str, Any] = {"kind": self.kind, "detail": self.detail, "content": self.content}
        if self.members:
            data["members"] = list(self.members)
            data["count"] = self.count or len(self.members)
        if self.diff is not None:
            data["diff"] = self.diff
        if self.published:
            data["published"] = self.published
        if self.rebuilt:
            data["rebuilt"] = self.rebuilt
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """The verdict on two archives and every difference found."""

    verdict: Verdict
    published: Listing
    rebuilt: Listing
    differences: tuple[Difference, ...]


def compare_archives(published: Path, rebuilt: Path) -> Comparison:
    """Compare two wheels or two sdists.

    Raises :class:`~pyprov.rebuild.archive.ArchiveError` for an archive that cannot be
    read safely, ``OSError`` for a file that cannot be read.
    """
    same: frozenset[str] = frozenset()
    if archive_format(published) == archive_format(rebuilt) == "zip":
        # One pass over each wheel: its digest, and which members hold the same compressed
        # bytes as the other's (those are not inflated).
        try:
            left, right, same = read_zip_pair(published, rebuilt)
        except ArchiveError:
            # Two copies of the same bytes are identical even when pyprov cannot list them.
            left, right = read_listing(published, members=False), read_listing(rebuilt, members=False)
            if left.sha256 == right.sha256 and left.size == right.size:
                return Comparison(verdict="identical", published=left, rebuilt=right, differences=())
            raise
        if left.sha256 == right.sha256 and left.size == right.size:
            return _identical(left, right)
    else:
        # The same bytes need no member read: two digests decide. A tar.gz is one compressed
        # stream: it is inflated to be listed, and its members are hashed on the way.
        left, right = read_listing(published, members=False), read_listing(rebuilt, members=False)
        if left.sha256 == right.sha256 and left.size == right.size:
            return _identical(left, right)
        left, right = with_members(left), with_members(right)
    # Members only one archive has, and zip members whose compressed bytes differ, are
    # inflated and hashed.
    left = with_content(left, [m.name for m in left.members if m.name not in same])
    right = with_content(right, [m.name for m in right.members if m.name not in same])
    differences: list[Difference] = []
    if published.name != rebuilt.name:
        differences.append(
            Difference(
                kind="filename",
                detail=f"file name {published.name} vs {rebuilt.name}",
                published={"filename": published.name},
                rebuilt={"filename": rebuilt.name},
            )
        )
    differences += _content_differences(left, right, same)
    differences += _metadata_differences(left, right)
    if not differences:
        # Same members, same metadata as far as pyprov reads it: the container itself
        # (headers, padding, extra fields, compression level) is what differs.
        differences.append(
            Difference(
                kind="container",
                detail=f"the archives' bytes differ ({left.size} vs {right.size} bytes, "
                f"sha256 {left.sha256[:12]}… vs {right.sha256[:12]}…) with the same members and metadata",
                published={"sha256": left.sha256, "size": left.size},
                rebuilt={"sha256": right.sha256, "size": right.size},
            )
        )
    verdict: Verdict = "differs" if any(item.content for item in differences) else "equivalent"
    return Comparison(verdict=verdict, published=left, rebuilt=right, differences=tuple(differences))


def _identical(left: Listing, right: Listing) -> Comparison:
    shallow = (dataclasses.replace(left, members=()), dataclasses.replace(right, members=()))
    return Comparison(verdict="identical", published=shallow[0], rebuilt=shallow[1], differences=())


def _content_differences(left: Listing, right: Listing, same: frozenset[str]) -> list[Difference]:
    ours, theirs = left.by_name(), right.by_name()
    found: list[Difference] = []
    for name in sorted(ours.keys() - theirs.keys()):
        member = ours[name]
        found.append(
            Difference(
                kind="removed",
                detail=f"{name}: only in the published archive ({member.kind}, {member.size} bytes)",
                members=(name,),
                published=_facts(member),
            )
        )
    for name in sorted(theirs.keys() - ours.keys()):
        member = theirs[name]
        found.append(
            Difference(
                kind="added",
                detail=f"{name}: only in the rebuild ({member.kind}, {member.size} bytes)",
                members=(name,),
                rebuilt=_facts(member),
            )
        )
    for name in sorted(ours.keys() & theirs.keys()):
        a, b = ours[name], theirs[name]
        if a.kind != b.kind:
            found.append(Difference(kind="kind", detail=f"{name}: {a.kind} vs {b.kind}", members=(name,)))
        elif name not in same and (a.sha256 != b.sha256 or a.size != b.size):
            found.append(_changed(left, right, a, b))
    return found


def _changed(left: Listing, right: Listing, a: Member, b: Member) -> Difference:
    diff = None
    if a.kind == "file":
        old, new = read_text(left.path, a.name), read_text(right.path, b.name)
        if old is not None and new is not None:
            lines = list(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    fromfile=f"published/{a.name}",
                    tofile=f"rebuilt/{b.name}",
                )
            )
            if len(lines) > MAX_DIFF_LINES:
                lines = [*lines[:MAX_DIFF_LINES], f"... {len(lines) - MAX_DIFF_LINES} more diff lines\n"]
            diff = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    what = "text differs" if diff is not None else f"{a.size} vs {b.size} bytes"
    return Difference(
        kind="changed",
        detail=f"{a.name}: {what} (sha256 {(a.sha256 or '')[:12]}… vs {(b.sha256 or '')[:12]}…)",
        members=(a.name,),
        diff=diff,
        published=_facts(a),
        rebuilt=_facts(b),
    )


def _facts(member: Member) -> dict[str, Any]:
    return {"size": member.size, "sha256": member.sha256}


def _metadata_differences(left: Listing, right: Listing) -> list[Difference]:
    ours, theirs = left.by_name(), right.by_name()
    common = [name for name in (m.name for m in left.members) if name in theirs]
    found: list[Difference] = []

    def collect(kind: DifferenceKind, what: str, value: str) -> None:
        differing = [name for name in common if getattr(ours[name], value) != getattr(theirs[name], value)]
        if not differing:
            return
        first = differing[0]
        show = _time if value == "mtime" else _octal if value == "mode" else str
        example = f"{first}: {show(getattr(ours[first], value))} vs {show(getattr(theirs[first], value))}"
        found.append(
            Difference(
                kind=kind,
                detail=f"{what} differ on {len(differing)} of {len(common)} members (e.g. {example})",
                members=tuple(differing[:MAX_LISTED]),
                count=len(differing),
            )
        )

    collect("timestamps", "timestamps", "mtime")
    collect("permissions", "permissions", "mode")
    collect("ownership", "owners", "owner")
    collect("compression", "compression methods / member formats", "compression")
    rebuilt_order = [name for name in (m.name for m in right.members) if name in ours]
    if common != rebuilt_order:
        moved = [a for a, b in zip(common, rebuilt_order, strict=True) if a != b]
        found.append(
            Difference(
                kind="order",
                detail=f"member order differs ({len(moved)} of {len(common)} members at another position)",
                members=tuple(moved[:MAX_LISTED]),
                count=len(moved),
            )
        )
    if left.header != right.header:
        found.append(
            Difference(
                kind="compression",
                detail=f"{'gzip header' if left.format == 'tar.gz' else 'zip comment'}: "
                f"{left.header or '(none)'} vs {right.header or '(none)'}",
                published={"header": left.header},
                rebuilt={"header": right.header},
            )
        )
    return found


def _time(value: object) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(str(value))))


def _octal(value: object) -> str:
    return oct(int(str(value)))
