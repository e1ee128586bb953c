/**
 * Shared by the shipper integration tests and bench/ship.bench.ts: the shipper as a child
 * process (so it can be killed with SIGKILL and its memory read from /proc), reading a topic
 * back with the shipper's headers decoded, and numbered test lines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KafkaClient } from '../../core/kafka.js';
import { readRawHeaders } from '../../core/raw-record.js';

const cliIndex = fileURLToPath(new URL('../../cli/index.js', import.meta.url));

export interface ShipperProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr (its pino log). */
  log(): string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

export function spawnShipper(env: Record<string, string>, args: string[] = []): ShipperProcess {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `import(${JSON.stringify(cliIndex)}).then(async (m) => process.exit(await m.main(process.argv.slice(1))))`,
      '--',
      'ship',
      ...args,
    ],
    {
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 4_000_000) stderr = stderr.slice(-2_000_000);
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, log: () => stderr, exited };
}

/** Resolves once the shipper logged that it started; fails with its log if it exits or hangs. */
export async function started(p: ShipperProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!p.log().includes('"Shipper started."')) {
    if (p.child.exitCode !== null || p.child.signalCode !== null || Date.now() > deadline) {
      throw new Error(
        `the shipper did not start (exit ${p.child.exitCode ?? p.child.signalCode}):\n${p.log().slice(-3000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Peak resident memory of a live process, bytes (VmHWM), or 0 when it is gone. */
export function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The shipper's statistics log lines (SHIP_STATS_INTERVAL_S), parsed. */
export function statsLines(log: string): Record<string, number>[] {
  return log
    .split('\n')
    .filter((l) => l.includes('"Shipper statistics."'))
    .map((l) => JSON.parse(l) as Record<string, number>);
}

export interface Shipped {
  value: Buffer;
  key: string;
  fileId: string;
  path: string;
  offset: number;
  piece: number | undefined;
}

/**
 * Reads the topic from the beginning until `done(records)` holds, then `settleMs` more for
 * stragglers (duplicates). On timeout it returns what it got; the caller's assertions say what is missing.
 */
export async function readTopic(
  kafka: KafkaClient,
  topic: string,
  done: (records: Shipped[]) => boolean,
  options: { timeoutMs: number; settleMs?: number },
): Promise<Shipped[]> {
  const records: Shipped[] = [];
  const consumer = await kafka.consumer({ groupId: `${topic}-reader`, topics: [topic], fromBeginning: true });
  const running = consumer.run(async (messages) => {
    for (const m of messages) {
      const h = readRawHeaders(m.headers);
      if (!h.success) throw new Error(`record without shipper headers at offset ${m.offset}`);
      records.push({
        value: m.value ?? Buffer.alloc(0),
        key: m.key?.toString() ?? '',
        piece: undefined,
        ...h.data,
      });
    }
  });
  try {
    const deadline = Date.now() + options.timeoutMs;
    while (!done(records)) {
      if (Date.now() > deadline) return records;
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, options.settleMs ?? 0));
    return records;
  } finally {
    await consumer.stop();
    await running.catch(() => {});
  }
}

/** A numbered line of about 150 bytes, as a Postfix log line would be. */
export function numberedLine(seq: number): string {
  const q = ((seq * 2654435761) % 0xffffffffff).toString(16).toUpperCase().padStart(10, '0');
  return `Nov 27 12:00:00 mx1 postfix/smtp[4242]: ${q}: to=<user${seq}@example.org>, relay=mx.example.org[192.0.2.7]:25, delay=0.4, status=sent seq=${seq}`;
}

export function seqOf(value: Buffer): number {
  const m = /seq=(\d+)$/.exec(value.toString('latin1'));
  return m ? Number(m[1]) : -1;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
