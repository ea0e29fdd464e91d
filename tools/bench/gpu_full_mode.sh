#!/usr/bin/env bash
# Full mode measured on a GPU machine that has PyTorch, numpy, SciPy, pandas, scikit-learn and
# matplotlib but no internet: the course's other packages travel with it as wheels.
#
#   tools/bench/gpu_full_mode.sh wheels [PYTHON]           here, where PyPI answers: writes .whl/
#   tools/bench/gpu_full_mode.sh run SECONDS [NAME ...]    there, in the course root
#
# `wheels` downloads what the course needs besides those (nbclient, ipykernel, ipywidgets, mlxtend
# and what they need), at the versions constraints-ci.txt pins, built for the GPU machine's Python
# (default 3.12); about 20 MB. `run` installs them, then runs
# `python -m tools.bench.benchmark NAME --mode full --seeds 0` for each notebook named (default: all
# nine, the shortest predicted first, as RESULTS.md's T4 predictions order them), starting one only
# while SECONDS last and stopping one that outlasts them. Each finished notebook's section of
# RESULTS.md is replaced. With OUT set, RESULTS.md and the executed notebooks (a tar.gz) are copied
# there. MODE=smoke runs the same in smoke mode, a minute a notebook: a check of the set-up, whose
# sections of RESULTS.md are not for keeping.
set -euo pipefail
cd "$(dirname "$0")/../.."

WHEELS=.whl
NEEDED="nbclient nbformat ipykernel ipywidgets mlxtend"
# already on the GPU machine, and too large to carry (numpy alone is 16 MB)
PRESENT="numpy scipy pandas scikit_learn matplotlib pillow fonttools contourpy kiwisolver"

wheels() {
    local python=${1:-3.12}
    rm -rf "$WHEELS" && mkdir "$WHEELS"
    python3 -m pip download --quiet --only-binary=:all: --python-version "$python" --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
        -c constraints-ci.txt -d "$WHEELS" $NEEDED
    for name in $PRESENT; do rm -f "$WHEELS/$name"-*.whl; done
    du -sh "$WHEELS"
}

run() {
    local budget=${1:?run SECONDS [NAME ...]: how long the notebooks may take together}
    shift
    local names=${*:-09_adversarial_attacks 01_toy_gan 02_dcgan 06_cyclegan 03_wgan 04_conditional_gan 05_pix2pix 08_stylegan 07_progan}
    local mode=${MODE:-full} kept=/tmp/gpu_full_mode
    # pip installs only what the machine lacks: what it has and what satisfies the course stays
    python3 -m pip install --quiet --no-index --find-links "$WHEELS" $NEEDED
    export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
    python3 -c "import torch; print('torch', torch.__version__, '|', torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no GPU')"
    local deadline=$((SECONDS + budget)) name left
    for name in $names; do
        left=$((deadline - SECONDS))
        if [ "$left" -lt 60 ]; then
            echo "$name: not started, $left s of the budget left"
            continue
        fi
        timeout "$left" python3 -m tools.bench.benchmark "$name" --mode "$mode" --seeds 0 --keep "$kept" ||
            echo "$name: stopped or failed (exit $?) after $((SECONDS + left - deadline)) s"
    done
    if [ -n "${OUT:-}" ]; then
        cp RESULTS.md "$OUT"/
        [ -d "$kept" ] && tar czf "$OUT"/notebooks.tar.gz -C "$kept" .
    fi
    return 0
}

case "${1:-}" in
    wheels) shift; wheels "$@" ;;
    run) shift; run "$@" ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
