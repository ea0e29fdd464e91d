"""Where things are in the course: its root, its assignments and their notebooks."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def assignments(root=ROOT):
    """The assignment names (NN_slug), in course order: every solutions/NAME/NAME.ipynb."""
    src = os.path.join(root, "solutions")
    return sorted(d for d in os.listdir(src) if os.path.isfile(os.path.join(src, d, d + ".ipynb")))


def source(name, root=ROOT):
    """The nbgrader source notebook of an assignment: solutions, visible checks and hidden tests."""
    return os.path.join(root, "solutions", name, name + ".ipynb")


def student(name, root=ROOT):
    """The released student notebook of an assignment."""
    return os.path.join(root, "notebooks", name, name + ".ipynb")
