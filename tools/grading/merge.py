"""Merge the outputs of grading shards into the outputs of the whole class.

    python -m tools.grading.merge OUT SHARD1 SHARD2 ...

Each SHARD is the --out folder of one ``python -m tools.grade ... --shard K/N`` run. The records of
every shard's records.jsonl are written into OUT as one grading run would have written them:
grades.csv, feedback/, records.jsonl, summary.md, summary.png and gradebook.db. A notebook that two
shards both graded (the same student, notebook and file) is refused: shards must not overlap.
"""
import argparse
import json
import os

from tools.grading.report import write_outputs


def read_records(shard):
    """The records of one shard's records.jsonl, in file order."""
    path = os.path.join(shard, "records.jsonl")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path} not found: expected the --out folder of a grading shard")
    records = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}, line {n}: not a JSON record ({err.msg})") from None
    return records


def merge(out, shards):
    """Write the outputs of all shards' records into out; returns the merged records."""
    if os.path.abspath(out) in {os.path.abspath(s) for s in shards}:
        raise ValueError(f"{out} is one of the shards: merge into a folder of its own")
    records, seen = [], {}
    for shard in shards:
        for r in read_records(shard):
            key = (r.get("student"), r.get("notebook"), r.get("file"))
            if key in seen:
                raise ValueError(f"student {key[0]!r}, notebook {key[1]!r}, file {key[2]!r} was graded twice: "
                                 f"in {seen[key]} and in {shard}; each notebook belongs to one shard")
            seen[key] = shard
            records.append(r)
    write_outputs(records, out)
    return records


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.grading.merge", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="where the merged grades.csv, feedback/ and the rest go")
    parser.add_argument("shards", nargs="+", help="the --out folders of the grading shards")
    args = parser.parse_args(argv)
    try:
        records = merge(args.out, args.shards)
    except (OSError, TypeError, ValueError) as err:
        parser.exit(2, f"merge: {err}\n")
    print(f"merged {len(records)} notebooks of {len({r['student'] for r in records})} students "
          f"from {len(args.shards)} shards -> {os.path.join(args.out, 'grades.csv')}")
    return records


if __name__ == "__main__":
    main()
