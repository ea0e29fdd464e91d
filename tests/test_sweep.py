"""tools/sweep.py: every named variant still applies to its notebook."""
import os

import nbformat
import pytest

import sweep  # tools/ is on sys.path (tests/conftest.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("name", sorted(sweep.VARIANTS))
def test_every_variant_edits_the_current_notebook(name):
    nb = nbformat.read(os.path.join(ROOT, "solutions", name, name + ".ipynb"), as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for variant, edits in sweep.VARIANTS[name].items():
        assert variant in sweep.DESCRIPTIONS
        for old, _ in edits:
            assert old in code, f"variant {variant}: {old!r} is no longer in {name}"


def test_combined_variants_and_seeds_parse():
    edits, seed = sweep.parse("02_dcgan", "r1_1+aug2@1")
    assert seed == 1 and edits == sweep.VARIANTS["02_dcgan"]["r1_1"] + sweep.VARIANTS["02_dcgan"]["aug2"]
    with pytest.raises(ValueError, match="unknown variant 'r2'"):
        sweep.parse("02_dcgan", "r2")
