#!/usr/bin/python3
"""Joins two training logs (log.csv of `spe train`) into one history: BASE (the log of the weights a run
warm-started from) then the RUN's rows up to --until STEP, their steps counted on from BASE's last step.
Used by `packaging/train-bundled.sh --export`, so an exported model's training/log.csv holds its whole
history (the loss curves of docs/results/bundled-models.md start from it).

Usage: packaging/tools/join_training_logs.py BASE RUN --until STEP -o OUT   (OUT written via a temp file)
"""
import argparse
import csv
import os
import sys


def rows(path, program="join_training_logs"):
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            return reader.fieldnames, [dict(r, step=int(r["step"])) for r in reader]
    except (OSError, KeyError, ValueError) as e:
        sys.exit(f"{program}: {path}: {e}")


def join(base_path, run_path, until=None, program="join_training_logs"):
    """(columns, joined rows with int steps, the base's last step): BASE's rows, then RUN's up to `until`
    (all of them when None) with their steps counted on from BASE's last one."""
    fields, base = rows(base_path, program)
    run_fields, run = rows(run_path, program)
    if run_fields != fields:
        sys.exit(f"{program}: {run_path}: columns {run_fields} differ from {base_path}'s {fields}")
    offset = base[-1]["step"] if base else 0
    return fields, base + [dict(r, step=r["step"] + offset) for r in run if until is None or r["step"] <= until], offset


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("base")
    p.add_argument("run")
    p.add_argument("--until", type=int, required=True, help="last step of the run to keep (the exported one)")
    p.add_argument("-o", "--output", required=True)
    a = p.parse_args()
    fields, joined, _ = join(a.base, a.run, a.until)
    tmp = a.output + ".tmp"
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(joined)
    os.replace(tmp, a.output)


if __name__ == "__main__":
    main()
