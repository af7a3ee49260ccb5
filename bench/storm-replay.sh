#!/usr/bin/env bash
# Times `handoff replay` of a folder where every host is inside an incident at once (see
# io.handoff.bench.StormFolder), with a given build of handoff, RUNS times. Prints one row per run:
# seconds from start to exit, seconds after the in-process broker was up, entries shipped, incidents,
# and lines/s over the whole run and after the broker was up (the marginal rate, start-up excluded).
#
#   bench/storm-replay.sh tools/target/handoff-tools.jar /tmp/storm456 3
#   STORM_OUT=/tmp/out.json bench/storm-replay.sh …    # keeps the JSON of the last run
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: bench/storm-replay.sh HANDOFF_JAR STORM_DIR [RUNS (default 3)]" >&2
  exit 2
fi
jar=$1 dir=$2 runs=${3:-3}
[ -f "$jar" ] || { echo "storm-replay: no jar at '$jar' (build it with ./handoff --help)" >&2; exit 2; }
[ -d "$dir" ] || { echo "storm-replay: '$dir' is not a folder (make one with io.handoff.bench.StormFolder)" >&2; exit 2; }
lines=$(cat "$dir"/*/*.log | wc -l)
printf '%-4s %9s %12s %9s %9s %11s %14s\n' run seconds after-broker entries incidents "lines/s" "marginal l/s"
for run in $(seq 1 "$runs"); do
  log=$(mktemp)
  start=$(date +%s.%N)
  out=${STORM_OUT:-/dev/null}
  { set +e; java -Xmx1g -jar "$jar" replay "$dir" --format json 2>&1 >"$out"; echo "$(date +%s.%N) exit $?"; } \
    | while IFS= read -r l; do case "$l" in [0-9]*' exit '*) echo "$l";; *) echo "$(date +%s.%N) $l";; esac; done > "$log"
  end=$(grep -m1 ' exit ' "$log" | cut -d' ' -f1)
  up=$(grep -m1 'broker up' "$log" | cut -d' ' -f1)
  entries=$(grep -m1 'shipped' "$log" | sed -E 's/.*shipped ([0-9,]+) entries.*/\1/' | tr -d ,)
  incidents=$(grep -E '^[0-9.]+ handoff: [0-9]+ incidents \(' "$log" | tail -1 | sed -E 's/.*handoff: ([0-9]+) incidents.*/\1/')
  awk -v r="$run" -v s="$start" -v e="$end" -v u="$up" -v n="$entries" -v i="$incidents" -v l="$lines" 'BEGIN {
    printf "%-4s %9.1f %12.1f %9d %9d %11.0f %14.0f\n", r, e - s, e - u, n, i, l / (e - s), l / (e - u) }'
  rm -f "$log"
done
