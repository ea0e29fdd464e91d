"""Reading what students hand in: which files are notebooks, whose they are, and which are refused.

Only regular files are read (no symbolic links, pipes or devices), up to a size no real notebook
reaches, and only the notebooks of a zip are unpacked, under the same rules.
"""
import json
import os
import stat
import zipfile

import nbformat

from course_lib import cells
from tools.grading.judge import unscored

# A notebook file over this size is not read. The largest notebook of the course, 02 executed with
# all its 37 outputs (figures as PNG), is 1.1 MB; a student's extra figures and logs stay far
# below 16 MB, while parsing stays under a second and a few hundred MB of memory at worst.
MAX_NOTEBOOK = 16 << 20  # bytes

# Nor is one whose cells, without their outputs (which grading never reads), hold more JSON
# values than this: 02 has 3,483, and nbformat takes about 10 us of conversion for each.
MAX_VALUES = 100_000

# Nor one with more code than this (characters, all code cells together): the largest of the
# course, 09, has 45,704. Finding a retyped answer cell parses every code cell with ast, which
# takes about 1.6 GB and a minute for 4 MB of code.
MAX_CODE = 512 << 10

MAX_UNZIPPED = 2 << 30  # bytes: a zip whose notebooks add up to more is refused, not unpacked


class Refused(Exception):
    """A submitted file that is not read; the message says why, for the student's feedback."""


# what a file that is not a regular file is, in the words of the student's feedback
FILE_TYPES = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"),
              (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def refuse_unless_regular(mode, size, where=""):
    """Raise Refused unless a file of this mode and size may be read as a notebook."""
    if not stat.S_ISREG(mode):
        what = next((words for test, words in FILE_TYPES if test(mode)), "not a regular file")
        raise Refused(f"it is {what}{where}, not a notebook file: hand in the notebook file itself")
    if size > MAX_NOTEBOOK:
        raise Refused(f"it is {size / (1 << 20):.1f} MB{where}, over the {MAX_NOTEBOOK >> 20} MB a notebook may have: "
                      "clear its outputs and hand it in again")


def read_submission(path):
    """The notebook at path, with no outputs (grading never reads them). Raises Refused.

    Only a regular file is opened: its path is checked with lstat, opened with O_NOFOLLOW (a link
    put there since is not followed) and O_NONBLOCK (a pipe put there since does not block), and
    what was opened is checked again. At most MAX_NOTEBOOK bytes are read, and the JSON is
    handed to nbformat only when its cells hold at most MAX_VALUES values.
    """
    info = os.lstat(path)
    refuse_unless_regular(info.st_mode, info.st_size)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise Refused(f"it could not be opened as a regular file ({err.strerror})") from None
    with open(fd, "rb") as f:
        info = os.fstat(f.fileno())
        refuse_unless_regular(info.st_mode, info.st_size)
        data = f.read(MAX_NOTEBOOK + 1)
    refuse_unless_regular(stat.S_IFREG, len(data))  # it grew after the check
    nb, code = json.loads(data), 0
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        if isinstance(cell, dict):
            cell.pop("attachments", None)
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
                text = cell.get("source")
                code += sum(len(t) for t in (text if isinstance(text, list) else [text]) if isinstance(t, str))
    if _values(nb) > MAX_VALUES:
        raise Refused(f"its cells hold over {MAX_VALUES:,} JSON values, far more than any notebook of the course")
    if code > MAX_CODE:
        raise Refused(f"its code cells hold over {MAX_CODE >> 10} kB of code, far more than any notebook of the course")
    return nbformat.reads(json.dumps(nb), as_version=4)


def _values(x):
    """How many JSON values x holds, counting stops a little past MAX_VALUES."""
    todo, n = [x], 0
    while todo and n <= MAX_VALUES:
        x = todo.pop()
        n += 1
        todo.extend(x.values() if isinstance(x, dict) else x if isinstance(x, list) else ())
    return n


def refused(student, path, name, template, why):
    """The record of a file that was not read: every exercise at 0, for manual grading."""
    return {"student": student, "notebook": name, "file": shown(os.path.basename(path)), "manual": True,
            "notes": [f"This file was not graded: {why}. It needs manual grading."],
            "exercises": unscored(template)}


def shown(name):
    """A file or folder name as text that every output can hold: bytes that are not UTF-8 (which
    os.listdir hands on as lone surrogates, and no UTF-8 file can store) as \\xNN escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def discover(folder):
    """(student, path) for everything under folder named like a notebook: one sub-folder per student,
    or flat files named ``<student>_<anything>.ipynb``.

    Nothing here opens a file, and a link to a folder is listed, never entered (os.walk does not
    follow links), so nothing can block or lead out of folder: whether a path is a notebook file
    is ``read_submission``'s to say. A link in place of a student's folder is listed too, to be refused.
    """
    found = []
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if os.path.islink(path) and os.path.isdir(path):
            found.append((shown(entry), path))
        elif os.path.isdir(path):
            student = shown(entry)
            for parent, folders, files in sorted(os.walk(path)):
                if ".ipynb_checkpoints" not in parent:  # a folder named like a notebook is listed, to be refused
                    found += [(student, os.path.join(parent, f)) for f in sorted(files + folders)
                              if f.endswith(".ipynb")]
        elif entry.endswith(".ipynb"):
            found.append((student_of(entry), path))
    return found


def student_of(relative):
    """Whose a notebook is, from its path in the submissions: its first folder, else its name up to '_'."""
    first, _, rest = shown(relative).partition("/")
    if rest:
        return first
    return first.split("_", 1)[0] if "_" in first else first[:-len(".ipynb")]


def sort_out(found, sources, unzipped):
    """(jobs, records, skipped) of the (student, path) found.

    jobs: (student, path, assignment) to grade; records: those of the files refused, whose name
    gives their assignment; skipped: what is not graded at all, each with why, for the instructor.
    unzipped: {path: why} of the members of a zip that were refused when it was unpacked.
    """
    jobs, records, skipped = [], [], []
    for student, path in found:
        by_name = next((n for n in sources if n in os.path.basename(path)), None)
        try:
            if path in unzipped:
                raise Refused(unzipped[path])
            name = cells.identify(read_submission(path), sources, os.path.basename(path))
        except Refused as why:
            if by_name:
                records.append(refused(student, path, by_name, sources[by_name], why))
            else:
                skipped.append(f"{path} ({why}; no assignment in its name)")
            continue
        except Exception:  # not a notebook: graded as unreadable, under the assignment its name gives
            name = by_name
        if name:
            jobs.append((student, path, name))
        else:
            skipped.append(f"{path} (no assignment recognised)")
    return jobs, records, skipped


def shard(found, k, n):
    """The K-th of N slices (1 <= K <= N), by student, so that a student's notebooks stay together."""
    students = sorted({s for s, _ in found})
    mine = set(students[k - 1::n])
    return [(s, p) for s, p in found if s in mine]


def unpack(path, into):
    """Unpack the notebooks of a zip into folder ``into``; returns {path in into: why} of those refused.

    Only members named like a notebook are unpacked, each as a regular file of at most MAX_NOTEBOOK
    bytes: an entry whose Unix mode makes it a link, a pipe or a device, or that is larger, is
    refused and never written. zipfile drops absolute paths and '..' from the names, and writes
    no more bytes than a member states.
    """
    members, refusals = [], {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.is_dir() or not info.filename.endswith(".ipynb") or ".ipynb_checkpoints" in info.filename:
                continue
            where = os.path.join(into, *[p for p in info.filename.split("/") if p not in ("", ".", "..")])
            mode = info.external_attr >> 16  # a zip written without Unix modes has 0 here: a plain file
            try:
                refuse_unless_regular(mode if stat.S_IFMT(mode) else stat.S_IFREG, info.file_size, " in the zip")
                members.append((info, where))
            except Refused as why:
                refusals[where] = str(why)
        size = sum(info.file_size for info, _ in members)
        if size > MAX_UNZIPPED:
            raise SystemExit(f"{path}: its notebooks would unpack to {size >> 20} MB, over the "
                             f"{MAX_UNZIPPED >> 20} MB limit; unpack it yourself and grade the folder in shards")
        for info, where in members:
            try:
                z.extract(info, into)
            except Exception as err:  # a broken member, an unknown compression, a name clash: this one only
                refusals[where] = f"it could not be unpacked from the zip ({type(err).__name__})"
                if os.path.isfile(where) and not os.path.islink(where):
                    os.remove(where)
    return refusals

