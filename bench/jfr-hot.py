#!/usr/bin/env python3
"""Summarise a JFR recording's CPU samples: per thread kind, per first handoff frame, and inclusive.

usage: jfr print --stack-depth 256 --events jdk.ExecutionSample rec.jfr > rec.txt
       bench/jfr-hot.py rec.txt [N]
(bench/profile.sh does both.)
"""
import collections
import re
import sys

text = open(sys.argv[1]).read()
top_n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
threads = collections.Counter()
first_handoff = collections.Counter()
inclusive = collections.Counter()
total = 0
for event in text.split('jdk.ExecutionSample'):
    frames = [f for f in re.findall(r'^\s+(\S.*?)\s+line: \d+', event, re.M)]
    if not frames:
        continue
    t = re.search(r'sampledThread = "([^"]*)"', event)
    name = re.sub(r'\d+', 'N', t.group(1) if t else '?')
    name = re.sub(r'bench-\w+-\w+-app', 'app', name)
    threads[name] += 1
    total += 1
    mine = [f for f in frames if 'io.handoff' in f]
    first_handoff[mine[0] if mine else '(no handoff frame) ' + frames[-1]] += 1
    for f in set(frames):
        inclusive[f] += 1

print('samples', total)
print('-- threads')
for k, v in threads.most_common(10):
    print('%5d %5.1f%% %s' % (v, 100 * v / total, k))
print('-- first handoff frame on the stack (its own time and its callees\')')
for k, v in first_handoff.most_common(top_n):
    print('%5d %5.1f%% %s' % (v, 100 * v / total, k))
print('-- inclusive (handoff frames and a few library ones)')
for k, v in inclusive.most_common(400):
    if any(s in k for s in ('io.handoff', 'avro.Schema.toString', 'RocksDB', 'ReplicaManager.handleProduceAppend')):
        print('%5d %5.1f%% %s' % (v, 100 * v / total, k))
