#!/bin/bash
# Runs every scenario (about 6 minutes). web-01 (CPU-bound spike) runs alone first, then three lanes
# run in parallel; each host uses its own port, socket, prefix and log directory.
# web-06 and web-07 (the hosts with kernel lines) share a lane so their dmesg windows do not overlap.
set -u
cd "$(dirname "$0")/scenarios"
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
lane() { for h in "$@"; do bash "$h.sh" || echo "FAILED $h" >&2; done; }
lane web-01 > /tmp/handoff-web01.log 2>&1
lane web-12 web-10 web-11 web-13 > /tmp/handoff-laneA.log 2>&1 &
lane web-02 web-03 web-04 web-05 > /tmp/handoff-laneB.log 2>&1 &
lane web-06 web-07 web-08 web-09 web-15 web-14 > /tmp/handoff-laneC.log 2>&1 &
wait
grep -h FAILED /tmp/handoff-web01.log /tmp/handoff-lane?.log || echo "all scenarios ran"
