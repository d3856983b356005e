"""Where a symlink in the tree leads, resolved the way the operating system would (TG205)."""

from __future__ import annotations

import posixpath
from collections import deque
from collections.abc import Callable

from taskgate.change import Change

_MAX_LINK_HOPS = 40  # Linux's limit before ELOOP


def resolve_in_tree(
    link_path: str, target: str, link_of: Callable[[str], str | None]
) -> str | None:
    """Where a symlink at `link_path` leads as the operating system would resolve it:
    each component in turn, following links already in the tree (`link_of(path)` is a
    link's target, or None for anything else). None: outside the repository, an
    absolute or unreadable target, or a loop."""
    return walk_link(link_path, target, link_of)[0]


def walk_link(
    link_path: str, target: str, link_of: Callable[[str], str | None]
) -> tuple[str | None, set[str] | None]:
    """(where the link leads or None, the links a loop went through or None)."""
    if not target or target.startswith("/") or "\\" in target or "\0" in target:
        return None, None
    parts = [p for p in posixpath.dirname(link_path).split("/") if p]
    todo = deque(target.split("/"))
    hops: set[str] = {link_path}
    count = 0
    while todo:
        seg = todo.popleft()
        if seg in ("", "."):
            continue
        if seg == "..":
            if not parts:
                return None, None
            parts.pop()
            continue
        candidate = "/".join([*parts, seg])
        link = link_of(candidate)
        if link is None:
            parts.append(seg)
            continue
        count += 1
        hops.add(candidate)
        if count > _MAX_LINK_HOPS:
            return None, hops
        if not link or link.startswith("/") or "\0" in link:
            return None, None
        todo.extendleft(reversed(link.split("/")))
    return ("/".join(parts) if parts else None), None


def tree_links(change: Change) -> Callable[[str], str | None]:
    """`link_of` for the change's after side, remembered per path."""
    return change.reader("after").link_target


def resolve_link(link_path: str, target: str) -> str | None:
    """The repository path a symlink at `link_path` points to, or None when it leaves
    the repository (absolute, or escaping with '..')."""
    if not target or target.startswith("/") or "\\" in target or "\0" in target:
        return None
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(link_path), target))
    if resolved == ".." or resolved.startswith(("../", "/")):
        return None
    return resolved
