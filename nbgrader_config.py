"""nbgrader settings for the course: solutions/ is the source, notebooks/ the release.

Run nbgrader from this folder (``make release`` does). gradebook.db is created here and is
never committed: it holds the hidden tests.
"""
import os

c = get_config()  # noqa: F821 (provided by nbgrader)

here = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.root = here
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook.db")

# The notebooks' header cell says that the student version is generated.
c.IncludeHeaderFooter.header = os.path.join(here, "tools", "student_header.ipynb")
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Graded cells never train (runtime.grading() is true under nbgrader), so a minute per cell is
# generous; an infinite loop costs one cell, not the class.
c.ExecutePreprocessor.timeout = 60
c.Execute.timeout = 60
# The provided cells still run (the pictures, the evaluations): at smoke-mode sizes, as tools.grade
# runs them. The kernels nbgrader starts inherit this process's environment; a mode already set wins.
os.environ.setdefault("GAN_COURSE_MODE", "smoke")

# A harmless warning on stderr (a DeprecationWarning from a library, say) must not zero a
# correct test cell: drop stderr output that is only Python warnings.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"^(\S+:\d+: \w*Warning: [^\n]*\n(  [^\n]*\n)*)+$"
