"""Release the course: the student notebooks from the nbgrader sources, and the student repository.

    python -m tools.release                        # every assignment, into notebooks/
    python -m tools.release --out DIR              # somewhere else (the tests compare the two)
    python -m tools.release --student-tree DIR     # also the student release, as a tree to push
    python -m tools.release --bundle student.zip   # also the student release as a zip
    python -m tools.release --released 01_toy_gan 02_dcgan --student-tree DIR --bundle ZIP
                                                   # the tree and the zip hold those notebooks only

The course lives in two repositories. This one, the instructor's, stays private: solutions/ holds
every answer and every hidden test. Students get the student release, a public repository that
holds the student notebooks, course_lib and its packaging, and nothing else. Its URL is set in one
place, ``[tool.gan-course] student-repository`` in pyproject.toml: every release points the
notebooks' install line at it, and the Colab links open its notebooks.

The release also writes course_lib/assignments.json, the list of graded cells that students check
their notebooks against before submitting (tools/manifest.py). This file drives nbgrader; the
student tree and zip are tools/student_release.py, the URL and install line tools/student_repository.py.

nbgrader's generate_assignment is deterministic, so a fresh release must match notebooks/.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import nbformat

try:
    from tools.course import ROOT, assignments, source
except ModuleNotFoundError as err:  # run as a script: tools/ is then not an importable package
    if err.name != "tools":
        raise
    raise SystemExit("run the release from the course root as a module: python -m tools.release") from None
from tools.manifest import write_manifest
from tools.student_release import bundle, student_tree
from tools.student_repository import point_install_line, student_repository


def nbgrader(*args, root=ROOT):
    """Run the nbgrader command line of this Python's environment, from the course root."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    # nbgrader runs `alembic` from PATH to create gradebook.db: hence this environment's bin first
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], check=False, cwd=root, env=env,
                          capture_output=True, text=True)



def release(out=None, db=None, root=ROOT, repository=None, manifest=None):
    """Generate every assignment into ``out`` (default notebooks/); raise with nbgrader's log on failure.

    The install line is pointed at ``repository`` (default: this course's student repository)
    before nbgrader sees the source, so that the checksums and the gradebook agree with the
    student version. ``manifest``: write course_lib/assignments.json (True), do not (False), or
    write it when the release goes to root's notebooks/ and root has a course_lib/ (None: a
    release elsewhere leaves the course as it is, and a copy of the sources alone has no course_lib/).
    """
    repository = repository or student_repository()
    extra = []
    if out:
        extra.append(f"--CourseDirectory.release_directory={os.path.abspath(out)}")
    if db:
        extra.append(f"--CourseDirectory.db_url=sqlite:///{os.path.abspath(db)}")
    with tempfile.TemporaryDirectory() as sources:
        for name in assignments(root):
            shutil.copytree(os.path.dirname(source(name, root)), os.path.join(sources, name),
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            path = os.path.join(sources, name, name + ".ipynb")
            nb = nbformat.read(path, as_version=4)
            point_install_line(nb, repository, os.path.relpath(source(name, root), root))
            nbformat.write(nb, path)
            done = nbgrader("generate_assignment", name, "--force",
                            f"--CourseDirectory.source_directory={sources}", *extra, root=root)
            if done.returncode != 0:
                raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n{done.stdout}\n{done.stderr}")
            print(f"released {name}")
    if manifest is None:
        manifest = out is None and os.path.isdir(os.path.join(root, "course_lib"))
        if not manifest:
            print(f"released into {out}: course_lib/assignments.json not written" if out else
                  f"no course_lib/ in {root}: course_lib/assignments.json not written")
    if manifest:
        write_manifest(root)



def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.release", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="release folder (default: notebooks/)")
    parser.add_argument("--db", help="gradebook file (default: gradebook.db at the course root)")
    parser.add_argument("--student-tree", metavar="DIR",
                        help="also write the student release here: a folder to push as the student repository")
    parser.add_argument("--bundle", metavar="ZIP", help="also write the student release as a zip here")
    parser.add_argument("--released", nargs="+", metavar="NAME",
                        help="the notebooks the student tree and the bundle hold (default: all), "
                             "e.g. the ones already due")
    args = parser.parse_args(argv)
    if args.released and not (args.student_tree or args.bundle):
        parser.error("--released chooses the notebooks of --student-tree and --bundle; "
                     "give --student-tree DIR or --bundle ZIP too")
    release(args.out, args.db)
    if args.student_tree:
        student_tree(args.student_tree, notebooks=args.out, names=args.released)
    if args.bundle:
        bundle(args.bundle, notebooks=args.out, names=args.released)



if __name__ == "__main__":
    main()
