#!/usr/bin/python3
"""Filter `dmesg --time-format iso` output (stdin) to the lines between two epoch times (argv).
Lines are passed through unchanged. Lines written by the producer scripts themselves
(clock-check markers written to /dev/kmsg) are dropped."""
import sys, datetime
start, end = float(sys.argv[1]) - 1, float(sys.argv[2]) + 2
for line in sys.stdin:
    ts = line.split(" ", 1)[0]
    try:
        t = datetime.datetime.fromisoformat(ts.replace(",", ".")).timestamp()
    except ValueError:
        continue
    if start <= t <= end and "handoff-clockcheck" not in line:
        sys.stdout.write(line)
