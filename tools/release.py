"""Regenerate the student notebooks in notebooks/ from the nbgrader sources in solutions/.

    python tools/release.py                 # every assignment, into notebooks/
    python tools/release.py --out DIR       # somewhere else (the tests compare the two)

nbgrader's generate_assignment is deterministic, so a fresh release must match notebooks/.
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def assignments(root=ROOT):
    """The assignment folders of solutions/, in course order."""
    src = os.path.join(root, "solutions")
    return sorted(d for d in os.listdir(src) if os.path.isfile(os.path.join(src, d, d + ".ipynb")))


def nbgrader(*args, root=ROOT):
    """Run the nbgrader command line of this Python's environment, from the course root."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    # nbgrader runs `alembic` from PATH to create gradebook.db: hence this environment's bin first
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                          capture_output=True, text=True)


def release(out=None, db=None, root=ROOT):
    """Generate every assignment into ``out`` (default notebooks/); raise with nbgrader's log on failure."""
    extra = []
    if out:
        extra.append(f"--CourseDirectory.release_directory={os.path.abspath(out)}")
    if db:
        extra.append(f"--CourseDirectory.db_url=sqlite:///{os.path.abspath(db)}")
    for name in assignments(root):
        done = nbgrader("generate_assignment", name, "--force", *extra, root=root)
        if done.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n{done.stdout}\n{done.stderr}")
        print(f"released {name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="release folder (default: notebooks/)")
    parser.add_argument("--db", help="gradebook file (default: gradebook.db at the course root)")
    args = parser.parse_args()
    release(args.out, args.db)
