"""Instructor tools: release, grading and the measurement scripts. Run them from the course root
as modules (``python -m tools.grade``), so that ``tools`` and ``course_lib`` import without path tricks."""
