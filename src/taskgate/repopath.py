"""The one check for a clean repository-relative path (a policy's paths, a module's folder,
a path read from a side of a change)."""

# No `from __future__ import annotations`: on the hook's path, and nothing to defer.


def path_problem(
    path: str, *, written: bool = True, drive_letter: bool = True, control: bool = False
) -> str | None:
    """Why `path` is not a clean repository-relative POSIX path, or None when it is one.

    Always refused: what git cannot store as a tracked path (an empty path or segment,
    '.', '..', a trailing '/'; `ls-files` and `cat-file` fail on `../x`). `written` also
    refuses what a person must not write in a workflow file or policy although a file name
    may hold it: a backslash and a leading '/'; `drive_letter` a leading `C:`; `control`
    any control character (such a path would reach git's command line).
    """
    if path == "":
        return "is empty"
    if path in (".", "./"):
        return "is '.', the whole repository"
    if written and "\\" in path:
        return "contains a backslash (write paths with '/')"
    if written and (
        path.startswith("/")
        or (drive_letter and len(path) > 1 and path[1] == ":" and path[0].isalpha())
    ):
        return "is absolute (write it relative to the repository root)"
    if path.endswith("/"):
        return "ends with '/' (drop the trailing slash)"
    segments = path.split("/")
    if ".." in segments:
        return "contains '..' and so escapes its place in the repository"
    if "" in segments or "." in segments:
        return "is not normalised ('//' or a '.' segment)"
    if control and any(ch < " " for ch in path):
        return "contains a control character"
    return None


def is_tracked_form(path: str) -> bool:
    """Whether `path` could be a tracked file (a name with a newline or a backslash can).

    Board entries and policies are hostile input; `HEAD:../x` makes `cat-file --batch`
    die ("outside repository") and ls-files fail, so such names are simply absent. A NUL
    cannot reach git's command line at all.
    """
    return "\0" not in path and path_problem(path, written=False) is None
