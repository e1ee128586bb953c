/**
 * kafkajs's record decoder against ours (`core/kafka-record-decoder.ts`), on raw-topic records
 * as the shipper writes them (a log line, the host as key, four headers). Ours returns header
 * values as text, so kafkajs's is timed with the conversion the consumer made before (a string
 * per header value, into a new object). Passes interleaved, so the machine's drift falls on both:
 *
 *   node dist/bench/kafka-decode.bench.js [--records 20000] [--passes 15]
 *
 * Prints the median µs per record of each and the ratio.
 */
import { parseArgs } from 'node:util';
import { kafkajsRecordDecoders } from '../core/kafka.js';
import type { BatchContext, RecordDecoder } from '../core/kafka-record-decoder.js';
import { RecordsWriter } from '../core/kafka-wire/record-batch.js';
import { rawHeaders } from '../core/raw-record.js';
import { median } from './median.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    passes: { type: 'string', default: '15' },
  },
});
const RECORDS = Number(values.records);
const { Decoder, original, installed } = kafkajsRecordDecoders();

const base = 1_764_300_000_000;
const writer = new RecordsWriter(base);
for (let i = 0; i < RECORDS; i++) {
  writer.add({
    key: Buffer.from('mx1.example.net'),
    value: `2026-03-14T00:00:${String(i % 60).padStart(2, '0')}.250015+00:00 mx1.example.net postfix/qmgr[6409]: 07D090402C8: from=<dave@example.net>, size=1001958, nrcpt=3 (queue active)`,
    headers: rawHeaders({
      host: 'mx1.example.net',
      path: '/var/log/mail.log',
      fileId: '2049:131075:9f2c',
      offset: i * 160,
    }),
    timestamp: base + i,
  });
}
const records = Buffer.from(writer.bytes());
const ctx: BatchContext = {
  firstOffset: '123456',
  firstTimestamp: String(base),
  magicByte: 2,
  isControlBatch: false,
  timestampType: 0,
  maxTimestamp: String(base + RECORDS),
};

/** µs of CPU per record for one pass over every record, each on its own decoder as kafkajs does. */
function pass(decode: RecordDecoder): number {
  const t0 = process.cpuUsage();
  const d = new Decoder(records);
  while (d.offset < records.length) {
    const length = d.readVarInt();
    decode(new Decoder(records.subarray(d.offset, d.offset + length)), ctx);
    d.offset += length;
  }
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / RECORDS;
}

const kafkajsAsText: RecordDecoder = (decoder, batchContext) => {
  const record = original(decoder, batchContext) as { headers: Record<string, Buffer | string> };
  const text: Record<string, string> = {};
  for (const name in record.headers) text[name] = String(record.headers[name]);
  record.headers = text;
  return record;
};

const times = { kafkajs: [] as number[], ours: [] as number[] };
for (let i = 0; i < Number(values.passes); i++) {
  times.kafkajs.push(pass(kafkajsAsText));
  times.ours.push(pass(installed));
}
const k = median(times.kafkajs);
const o = median(times.ours);
process.stdout.write(
  `record decode, median of ${values.passes} passes over ${RECORDS} records: kafkajs ${k.toFixed(2)} µs, ours ${o.toFixed(2)} µs (x${(k / o).toFixed(1)})\n`,
);
