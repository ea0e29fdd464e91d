"""Every notebook has the same skeleton: it ends with a Summary, Questions and "Before you submit",
each a markdown heading, and no code cell hides markdown in its comments (text there never renders)."""
import re

import nbformat
import pytest

from tools import course

NAMES = course.assignments()
ENDING = ["Summary", "Questions", "Before you submit"]
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
COMMENTED_HEADING = re.compile(r"^\s*#\s+#{1,6}\s+\S")  # "# ## Summary", "# # Title"; not "### BEGIN SOLUTION"


def read(name):
    return nbformat.read(course.source(name), as_version=4)


def headings(nb):
    """(cell index, heading text) of every level-1 and level-2 heading of the markdown cells."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        fence = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith("```"):
                fence = not fence
            m = None if fence else HEADING.match(line)
            if m and len(m.group(1)) <= 2:
                found.append((i, m.group(2)))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_it_ends_with_a_summary_questions_and_before_you_submit(name):
    nb = read(name)
    last = [text for _, text in headings(nb)][-3:]
    assert last == ENDING, f"{name}: its last headings are {last}, not {ENDING}"
    submit_cell = headings(nb)[-1][0]
    after = nb.cells[submit_cell + 1:]
    assert all(c.cell_type == "code" for c in after) and len(after) <= 1, \
        f"{name}: only the submit cell may follow 'Before you submit'"


@pytest.mark.parametrize("name", NAMES)
def test_no_code_cell_carries_markdown_headings_in_its_comments(name):
    bad = [(i, line.strip()) for i, cell in enumerate(read(name).cells) if cell.cell_type == "code"
           for line in cell.source.splitlines() if COMMENTED_HEADING.match(line)]
    assert not bad, f"{name}: markdown headings commented out in code cells (cell, line): {bad}"
