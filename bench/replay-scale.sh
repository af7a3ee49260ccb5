#!/usr/bin/env bash
# Measures `handoff replay` on folders written from the real captures (io.handoff.bench.ReplayFolder) at
# two sizes of the same mix, its marginal rate (start-up excluded: the difference of the two), whether
# every expected incident came out, and SEC over the bigger folder's lines.
#
#   bench/replay-scale.sh [--storm] SMALL_HOSTS BIG_HOSTS [LINES_PER_HOST]
#
# Quiet (default): 26 hosts hold one fault capture each, the others web-14's healthy traffic, LINES_PER_HOST
# entries per host (default 500) over 300 s. --storm: every host one fault capture, all first gateway
# errors in the same second (LINES_PER_HOST does not apply: a capture is 540 to 1,130 entries).
# HANDOFF_JAVA_OPTS sets the replay's JVM options (default -Xmx1g); REPLAY_SCALE_DIR keeps the folders.
# Needs the tools jar (./handoff builds it) and, for the comparison, SEC (apt-get install sec).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/tools/target/handoff-tools.jar"
[ -f "$jar" ] || { echo "replay-scale.sh: $jar is missing; run ./handoff --help once to build it" >&2; exit 1; }
storm=""
if [ "${1:-}" = "--storm" ]; then storm="--storm"; shift; fi
[ $# -ge 2 ] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
small=$1 big=$2 per=${3:-500}
work="${REPLAY_SCALE_DIR:-$(mktemp -d /tmp/handoff-replay-scale.XXXXXX)}"
mkdir -p "$work"
cd "$root"

declare -A secs entries
for size in small big; do
  hosts=${!size}
  dir="$work/$size-$hosts${storm:+-storm}"
  if [ ! -d "$dir" ]; then
    java -cp "$jar" io.handoff.bench.ReplayFolder "$dir" --hosts "$hosts" --lines $((hosts * per)) $storm \
         --sec-input "$dir.sec" --expected "$dir.expected"
  fi
  echo "replay-scale: handoff replay $dir (load average $(cut -d' ' -f1-3 /proc/loadavg)) …" >&2
  t0=$(date +%s.%N)
  java ${HANDOFF_JAVA_OPTS:--Xmx1g} -jar "$jar" replay "$dir" --format json --timeout 60m > "$dir.out" 2> "$dir.err" \
    || { echo "replay-scale: the replay failed, see $dir.err" >&2; tail -5 "$dir.err" >&2; exit 1; }
  t1=$(date +%s.%N)
  secs[$size]=$(echo "$t1 - $t0" | bc)
  entries[$size]=$(grep -o 'shipped [0-9,]* entries' "$dir.err" | tr -dc '0-9')
  python3 - "$dir.expected" "$dir.out" <<'EOF'
import json, sys
expected = dict(l.split() for l in open(sys.argv[1]) if l.strip())
got, other = {}, 0
for line in open(sys.argv[2]):
    if not line.strip():
        continue
    o = json.loads(line)
    if o['type'] == 'incident':
        got.setdefault(o['host'], []).append(o['root_cause'])
    elif o['type'] != 'fleet_incident':
        other += 1
right = sum(1 for h, c in expected.items() if got.get(h) == [c])
extra = sum(len(v) for h, v in got.items() if h not in expected) + sum(len(v) - 1 for h, v in got.items() if h in expected and len(v) > 1)
print('replay-scale: %d of %d expected incidents with the right cause, %d extra incidents, %d other outputs (warnings)'
      % (right, len(expected), extra, other), file=sys.stderr)
EOF
  grep -E '^handoff: (parsed|[0-9]+ incidents)' "$dir.err" >&2
  printf 'replay-scale: %s: %d hosts, %s entries in %.1f s wall (JVM, broker and topology start-up included)\n' \
    "$size" "$hosts" "${entries[$size]}" "${secs[$size]}" >&2
done

marginal=$(echo "(${entries[big]} - ${entries[small]}) / (${secs[big]} - ${secs[small]})" | bc -l)
printf 'replay-scale: marginal rate %.0f entries/s ((%s - %s) entries in %.1f s more)\n' "$marginal" \
  "${entries[big]}" "${entries[small]}" "$(echo "${secs[big]} - ${secs[small]}" | bc)"

dir="$work/big-$big${storm:+-storm}"
if command -v sec >/dev/null; then
  lines=$(wc -l < "$dir.sec")
  t0=$(date +%s.%N)
  sec --conf="$root/bench/sec/handoff.sec" --input="$dir.sec" --notail --nointevents --log=/dev/null --nodetach \
      > "$dir.sec-out" 2> "$dir.sec-err"
  t1=$(date +%s.%N)
  s=$(echo "$t1 - $t0" | bc)
  printf 'replay-scale: SEC %s over the same %d physical lines: %.1f s = %.0f lines/s, %d INCIDENT lines\n' \
    "$(sec --version | head -1 | sed 's/.*) //')" "$lines" "$s" "$(echo "$lines / $s" | bc -l)" \
    "$(grep -c '^INCIDENT ' "$dir.sec-out" || true)"
  physical=$(echo "$lines / ${entries[big]}" | bc -l)
  printf 'replay-scale: handoff marginal / SEC = %.2f (physical lines: %.3f per entry)\n' \
    "$(echo "$marginal * $physical / ($lines / $s)" | bc -l)" "$physical"
else
  echo "replay-scale: SEC is not installed (apt-get install sec): no comparison" >&2
fi
echo "replay-scale: folders and outputs in $work" >&2
