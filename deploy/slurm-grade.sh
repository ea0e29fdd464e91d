#!/usr/bin/env bash
# Grade a class on a Slurm cluster: a job array of N tasks, task K grading shard K of N, then a
# merge job that starts once every task has succeeded.
#
#   deploy/slurm-grade.sh SUBMISSIONS OUT [N]      # from the course root; N defaults to 8
#
# Run it in the private instructor repository, with .venv built, on a file system that every node
# sees. Shard K writes OUT/shard-K; the merge writes grades.csv, feedback/, summary.md and
# gradebook.db into OUT. The grader needs bubblewrap (`bwrap`) on the nodes, and unprivileged user
# namespaces (kernel.unprivileged_userns_clone=1) for it.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 SUBMISSIONS OUT [N]   (N: how many shards, default 8)" >&2
    exit 2
fi
submissions=$1
out=$2
shards=${3:-8}
case $shards in
    '' | *[!0-9]* | 0) echo "N must be a positive whole number of shards, got '$shards'" >&2; exit 2 ;;
esac
python=${PYTHON:-.venv/bin/python}
mkdir -p "$out"   # Slurm writes the logs there, and does not create the folder
# The job commands are strings that sh runs on the node: quote the paths for it.
q_python=$(printf %q "$python")
q_submissions=$(printf %q "$submissions")
q_out=$(printf %q "$out")

# $SLURM_ARRAY_TASK_ID is escaped: each task expands it to its own index, from 1 to N.
array=$(sbatch --parsable --job-name=gan-grade --array="1-$shards" \
    --cpus-per-task=2 --mem=8G --time=02:00:00 --output="$out/slurm-%A_%a.log" \
    --export=ALL,OMP_NUM_THREADS=1 \
    --wrap="$q_python -m tools.grade $q_submissions --out $q_out/shard-\$SLURM_ARRAY_TASK_ID --shard \$SLURM_ARRAY_TASK_ID/$shards --jobs 2")
array=${array%%;*}   # --parsable prints "jobid" or "jobid;cluster"

# afterok: the merge waits for every task of the array and is cancelled if one of them fails.
merge=$(sbatch --parsable --job-name=gan-merge --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --cpus-per-task=1 --mem=4G --time=00:30:00 --output="$out/slurm-merge-%j.log" \
    --wrap="$q_python -m tools.grading.merge $q_out $q_out/shard-*")

echo "grading: job array $array ($shards shards), then merge job ${merge%%;*} into $out"
