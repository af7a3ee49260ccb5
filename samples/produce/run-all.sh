#!/bin/bash
# Runs every scenario. web-01 (CPU-bound spike) runs alone first, then three lanes of web-02…web-15
# run in parallel (about 6 minutes); each host uses its own port, socket, prefix and log directory.
# web-06 and web-07 (the hosts with kernel lines) share a lane so their dmesg windows do not overlap.
# Then web-16…web-36, the confusable cases, one after the other (about 50 minutes): each starts at
# least SPACING seconds after the one before, so that no two of their bursts fall in one fleet window
# (2 minutes) and the replay of the whole folder reads them as unrelated hosts. web-14, web-33 and
# web-34 use Debian's default FPM pid and log paths (for the packaged logrotate config) and so never
# run at the same time.
set -u
cd "$(dirname "$0")/scenarios"
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
SPACING=${SPACING:-150}
lane() { for h in "$@"; do bash "$h.sh" || echo "FAILED $h" >&2; done; }
spaced() {
	local last=0 now
	for h in "$@"; do
		now=$(date +%s)
		[ $((now - last)) -ge "$SPACING" ] || sleep $((SPACING - (now - last)))
		last=$(date +%s)
		bash "$h.sh" || echo "FAILED $h" >&2
	done
}
lane web-01 > /tmp/handoff-web01.log 2>&1
lane web-12 web-10 web-11 web-13 > /tmp/handoff-laneA.log 2>&1 &
lane web-02 web-03 web-04 web-05 > /tmp/handoff-laneB.log 2>&1 &
lane web-06 web-07 web-08 web-09 web-15 web-14 > /tmp/handoff-laneC.log 2>&1 &
wait
spaced web-16 web-17 web-18 web-19 web-20 web-21 web-22 web-23 web-25 web-26 web-28 web-29 web-31 web-32 \
	> /tmp/handoff-confusable.log 2>&1
# no incident (or, web-35, one at 00:00 UTC of the capture day, by libfaketime): no spacing needed
lane web-24 web-27 web-30 web-36 web-33 web-34 web-35 >> /tmp/handoff-confusable.log 2>&1
grep -h FAILED /tmp/handoff-web01.log /tmp/handoff-lane?.log /tmp/handoff-confusable.log || echo "all scenarios ran"
