"""The students' manifest, course_lib/assignments.json: each notebook's graded cells as students have them.

``course_lib.submit`` checks a student's notebook against it before they hand it in, and runs the
notebook as the grader will.
"""
import json
import os

import nbformat

from course_lib import cells
from tools.course import ROOT, assignments, source


def answered(student, source):
    """The student notebook with every answer cell filled in as in the source notebook."""
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    done = nbformat.from_dict(student)
    for cell in done.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return done



def manifest(root=ROOT):
    """{notebook: its cells as students have them}: what ``course_lib.submit`` runs a notebook as.

    No answers and no hidden tests: ``course_lib.cells.public`` leaves them out.
    """
    return {name: cells.public(cells.template(nbformat.read(source(name, root), as_version=4)))
            for name in assignments(root)}



def write_manifest(root=ROOT):
    """Write course_lib/assignments.json under root, which must be a course with its course_lib/."""
    folder = os.path.join(root, "course_lib")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{folder} is not a folder: assignments.json goes into the course_lib/ "
                                "of a course checkout, and this root has none")
    with open(os.path.join(folder, "assignments.json"), "w", encoding="utf-8") as f:
        json.dump(manifest(root), f, indent=1)
        f.write("\n")

