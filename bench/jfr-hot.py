#!/usr/bin/env python3
"""Summarise a JFR recording's CPU samples: per thread kind, where the stream threads' time goes (by
stage), per first handoff frame, and inclusive.

usage: jfr print --stack-depth 256 --events jdk.ExecutionSample rec.jfr > rec.txt
       bench/jfr-hot.py rec.txt [N]
(bench/profile.sh does both.)

The stage of a stream-thread sample is the first rule of STAGES that one of its frames matches, so a
sample inside an EOS commit counts there even when a handoff processor is further down the stack.
"""
import collections
import re
import sys

def has(*needles):
    """A rule: some frame contains one of the needles."""
    return lambda stack: any(n in stack for n in needles)


def both(a, b):
    return lambda stack: a(stack) and b(stack)


# (stage, rule over the stack's frames joined by newlines); the first rule that matches wins
STAGES = [
    ('EOS commit (flush, offsets, transaction markers)',
     has('TaskManager.commit', 'StreamsProducer.commitTransaction', 'sendOffsetsToTransaction',
         'TaskExecutor.commitOffsetsOrTransaction', 'StreamsProducer.maybeBeginTransaction')),
    # Kafka Streams 4.3.1 formats a diagnostic string per empty input partition on every readiness check
    # (once per record while some input partition is empty) unless max.task.idle.ms is -1
    ('Streams: readiness check of the task\'s partitions', has('PartitionGroup.readyToProcess')),
    ('envelope decode (JSON of the shipper)', has('io.handoff.raw.Envelope.decode', 'io.handoff.ship.Envelope.decode')),
    ('parse (the source parsers)', has('io.handoff.parse.')),
    # the parse stage's output: a HostTick or a LogEvent on handoff.correlate-input (and handoff.events when enabled)
    ('Avro encode of the parse output (ticks, lines with signal)',
     both(has('ParseProcessor.process'), has('AvroSerializer.serialize', 'SpecificDatumWriter', 'GenericDatumWriter',
                                             'VersionedAvroSerde.serialize'))),
    ('counters (handoff metrics, Streams sensors)', has('io.handoff.common.HandoffMetrics')),
    ('Avro decode (events into the correlator)',
     both(has('AvroDeserializer.deserialize', 'SpecificDatumReader', 'GenericDatumReader'), has('RecordQueue.addRawRecords',
                                                                                                'RecordDeserializer'))),
    ('state writes (serialize + RocksDB + changelog)',
     has('OpenState.toBytes', 'Events.toBytes', 'RocksDBStore.put', 'ChangeLoggingKeyValueBytesStore.put',
         'ChangeLoggingKeyValueBytesStore.delete', 'CachingKeyValueStore.put', 'MeteredKeyValueStore.put',
         'MeteredKeyValueStore.delete', 'RocksDBStore.delete')),
    ('state reads (RocksDB + deserialize)',
     has('OpenState.fromBytes', 'Events.fromBytes', 'RocksDBStore.get', 'MeteredKeyValueStore.get', 'RocksDBStore.all',
         'RocksDbIterator', 'CachingKeyValueStore.get')),
    ('fleet stage', has('io.handoff.fleet.')),
    ('correlate and classify (logic)', has('io.handoff.correlate.', 'io.handoff.classify.')),
    ('records out (producer send)', has('RecordCollectorImpl.send', 'KafkaProducer.send', 'KafkaProducer.doSend')),
    ('topology: the parse processor, dead letters, SIEM mirror', has('io.handoff.topology.', 'io.handoff.siem.')),
    ('Avro/serde (other records)', has('io.handoff.serde.', 'org.apache.avro.')),
    ('records in (consumer poll, fetch)', has('KafkaConsumer.poll', 'StreamThread.pollPhase', 'ClassicKafkaConsumer.poll',
                                              'AsyncKafkaConsumer.poll')),
    ('Streams runtime (other)', has('org.apache.kafka.streams.')),
]


def stage(frames):
    stack = '\n'.join(frames)
    for name, rule in STAGES:
        if rule(stack):
            return name
    return 'other'


def thread_kind(name):
    name = re.sub(r'\d+', 'N', name)
    return re.sub(r'bench-\w+-\w+-app', 'app', name)


def main():
    text = open(sys.argv[1]).read()
    top_n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    threads = collections.Counter()
    stages = collections.Counter()
    phases = collections.defaultdict(collections.Counter)
    first_handoff = collections.Counter()
    inclusive = collections.Counter()
    total = 0
    stream_total = 0
    for event in text.split('jdk.ExecutionSample'):
        frames = re.findall(r'^\s+(\S.*?)\s+line: \d+', event, re.M)
        if not frames:
            continue
        t = re.search(r'sampledThread = "([^"]*)"', event)
        raw_name = t.group(1) if t else '?'
        name = thread_kind(raw_name)
        threads[name] += 1
        total += 1
        if re.search(r'StreamThread-\d+$', raw_name):  # not its producer's network thread
            stream_total += 1
            st = stage(frames)
            stages[st] += 1
            # the bench's runs name their application bench-<run>-<id>-app: e2e1, healthy, storm, ...
            phase = re.search(r'bench-(\w+?)-[0-9a-f]{8}-app', raw_name)
            phases[phase.group(1) if phase else '?'][st] += 1
        mine = [f for f in frames if 'io.handoff' in f]
        first_handoff[mine[0] if mine else '(no handoff frame) ' + frames[-1]] += 1
        for f in set(frames):
            inclusive[f] += 1

    print('samples', total)
    print('-- threads')
    for k, v in threads.most_common(12):
        print('%5d %5.1f%% %s' % (v, 100 * v / total, k))
    print('-- the stream threads (%d samples, %.1f%% of all) by stage' % (stream_total, 100 * stream_total / max(1, total)))
    for k, v in stages.most_common():
        print('%5d %5.1f%% of stream / %5.1f%% of all  %s' % (v, 100 * v / max(1, stream_total), 100 * v / total, k))
    if len(phases) > 1:
        for phase, counts in sorted(phases.items()):
            n = sum(counts.values())
            print('-- the stream threads of run %s (%d samples) by stage' % (phase, n))
            for k, v in counts.most_common():
                print('%5d %5.1f%%  %s' % (v, 100 * v / n, k))
    print('-- first handoff frame on the stack (its own time and its callees\')')
    for k, v in first_handoff.most_common(top_n):
        print('%5d %5.1f%% %s' % (v, 100 * v / total, k))
    print('-- inclusive (handoff frames and a few library ones)')
    for k, v in inclusive.most_common(400):
        if any(s in k for s in ('io.handoff', 'avro.Schema.toString', 'RocksDB', 'ReplicaManager.handleProduceAppend',
                                'commitTransaction', 'sendOffsetsToTransaction')):
            print('%5d %5.1f%% %s' % (v, 100 * v / total, k))


if __name__ == '__main__':
    main()
