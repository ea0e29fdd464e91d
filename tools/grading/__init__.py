"""The grader's parts."""
