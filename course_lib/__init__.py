"""course_lib: the helper library of the GAN course.

Import modules by name, for example ``from course_lib import data, train, viz``.
It holds the plumbing of the notebooks (data, training loops, pictures, metrics, checks),
never the answer to a graded exercise.
"""
__version__ = "0.1.0"
