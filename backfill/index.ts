/**
 * `mailpulse import`: historical logs through the same pipeline as live ones.
 *
 * - Lines go to the raw Kafka topic exactly like the shipper's (same key and headers), so the
 *   indexer treats them the same way; `direct` writes them to Elasticsearch without Kafka
 *   through the indexer's own batch code instead.
 * - Idempotent: a line's identity is (host, file id, position), where the file id is a hash of
 *   the file's first 64 KB of content, not its name. Importing the same file twice, or a grown
 *   copy of it, gives the same event ids, so Elasticsearch keeps one event per line.
 * - Resumable: after each batch that Kafka (or Elasticsearch) acknowledged, the line count is
 *   saved in DATA_DIR/import/progress.json; a new run skips what was acknowledged. Positions are
 *   byte offsets in the decoded text (decompressed; invalid UTF-8 replaced), stable across runs.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, readSync, closeSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { Config } from '../core/config.js';
import { createEsClient } from '../core/elasticsearch.js';
import { MailpulseError } from '../core/errors.js';
import { createKafka, type OutMessage } from '../core/kafka.js';
import { orderLogFiles, readLogFile } from '../core/log-files.js';
import type { Logger } from '../core/logger.js';
import { type RawRecord, rawHeaders } from '../core/raw-record.js';
import { indexLines, installTemplates, type LineInput, redactorFor } from '../indexer/index.js';
import type { Progress } from './progress.js';

export { formatBar, formatLine, rates } from './progress.js';
export type { Progress } from './progress.js';

const FINGERPRINT_CHARS = 64 * 1024;
const BATCH_LINES = 5000;

const ProgressFileSchema = z.object({
  version: z.literal(1),
  files: z.record(z.string(), z.object({ path: z.string(), lines: z.number().int().nonnegative(), done: z.boolean() })),
});
type ProgressFile = z.infer<typeof ProgressFileSchema>;

function loadProgress(path: string): ProgressFile {
  try {
    const parsed = ProgressFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // No progress yet, or an unreadable file: start from the beginning (ids keep it idempotent).
  }
  return { version: 1, files: {} };
}

function saveProgress(path: string, progress: ProgressFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(progress)}\n`);
  renameSync(tmp, path);
}

/** Decoded size: the gzip trailer's ISIZE (size mod 2^32) for .gz, else the file size. */
export function decodedSize(path: string): number {
  let size: number;
  let fd: number;
  try {
    size = statSync(path).size;
    fd = openSync(path, 'r');
  } catch (err) {
    throw new MailpulseError('MP_ERR_INPUT_FILE', [path, (err as NodeJS.ErrnoException).code ?? (err as Error).message]);
  }
  try {
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b || size < 18) return size;
    const tail = Buffer.alloc(4);
    readSync(fd, tail, 0, 4, size - 4);
    return tail.readUInt32LE(0);
  } finally {
    closeSync(fd);
  }
}

export interface BackfillOptions {
  files: string[];
  /** Host name recorded with each line (the record key). */
  host: string;
  /** Write to Elasticsearch directly instead of through Kafka. */
  direct?: boolean;
  /** Forget saved progress and send everything again (still idempotent). */
  restart?: boolean;
  onProgress?: (progress: Progress, file: string) => void;
}

export interface BackfillResult {
  files: number;
  lines: number;
  skipped: number;
}

interface FileLines {
  fileId: string;
  lines: AsyncGenerator<{ line: string; offset: number }>;
}

/** Lines with their positions; the file id comes from the first batch (up to 64 KB). */
async function openFile(path: string): Promise<FileLines | undefined> {
  const batches = readLogFile(path);
  const first = await batches.next();
  if (first.done) return undefined;
  const head = first.value.join('\n').slice(0, FINGERPRINT_CHARS);
  const fileId = `import-${createHash('sha256').update(head).digest('hex').slice(0, 24)}`;
  async function* lines() {
    let offset = 0;
    const emit = function* (batch: string[]) {
      for (const line of batch) {
        yield { line, offset };
        offset += Buffer.byteLength(line) + 1;
      }
    };
    yield* emit(first.value as string[]);
    for await (const batch of batches) yield* emit(batch);
  }
  return { fileId, lines: lines() };
}

/** One import run: what both ways of writing share. */
interface Run {
  config: Config;
  logger: Logger;
  files: string[];
  options: BackfillOptions;
  saved: ProgressFile;
  progressPath: string;
  state: Progress;
  result: BackfillResult;
}

async function sendToKafka(run: Run): Promise<void> {
  const { config, logger, files, options, saved, progressPath, state, result } = run;
  const kafka = createKafka(config.kafka, logger);
  await kafka.ensureTopics([{ topic: config.kafka.topicRaw, partitions: config.kafka.partitions }]);
  const producer = await kafka.producer();
  try {
    for (const path of files) {
      const opened = await openFile(path);
      result.files += 1;
      if (!opened) continue;
      const entry = saved.files[opened.fileId] ?? { path, lines: 0, done: false };
      saved.files[opened.fileId] = entry;
      let index = 0;
      let pending: OutMessage[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pending.length === 0) return;
        await producer.send(config.kafka.topicRaw, pending);
        entry.lines += pending.length;
        result.lines += pending.length;
        state.lines += pending.length;
        saveProgress(progressPath, saved);
        advance(state, pendingBytes, path, options);
        pending = [];
        pendingBytes = 0;
      };
      for await (const { line, offset } of opened.lines) {
        const bytes = Buffer.byteLength(line) + 1;
        if (index++ < entry.lines) {
          result.skipped += 1;
          state.bytesDone += bytes;
          continue;
        }
        const record: RawRecord = { host: options.host, path, fileId: opened.fileId, offset };
        pending.push({ key: options.host, value: line, headers: rawHeaders(record) });
        pendingBytes += bytes;
        if (pending.length >= BATCH_LINES) await flush();
      }
      await flush();
      entry.done = true;
      saveProgress(progressPath, saved);
      logger.debug({ path, fileId: opened.fileId, lines: entry.lines }, 'File sent to Kafka.');
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Direct mode resumes per file, not per line: one parse context and one correlator must see a
 * file's lines from the start, or the messages straddling the resume point would be cut in two.
 */
async function writeDirect(run: Run): Promise<void> {
  const { config, logger, files, options, saved, progressPath, state, result } = run;
  const es = createEsClient(config.elasticsearch);
  const prefix = config.elasticsearch.indexPrefix;
  try {
    await installTemplates(es, prefix);
    for (const path of files) {
      const opened = await openFile(path);
      result.files += 1;
      if (!opened) continue;
      const known = saved.files[opened.fileId];
      if (known?.done) {
        result.skipped += known.lines;
        advance(state, decodedSize(path), path, options);
        continue;
      }
      let bytes = 0;
      let reported = 0;
      async function* inputs(source: FileLines): AsyncGenerator<LineInput> {
        for await (const { line, offset } of source.lines) {
          bytes += Buffer.byteLength(line) + 1;
          yield { line, source: { host: options.host, path, fileId: source.fileId, offset } };
        }
      }
      const totals = await indexLines(es, prefix, inputs(opened), {
        timeZone: config.parser.timeZone,
        logger,
        redact: redactorFor(config),
        onBatch: (t) => {
          state.lines = result.lines + t.lines;
          advance(state, bytes - reported, path, options);
          reported = bytes;
        },
      });
      result.lines += totals.lines;
      state.lines = result.lines;
      saved.files[opened.fileId] = { path, lines: totals.lines, done: true };
      saveProgress(progressPath, saved);
      logger.debug({ path, fileId: opened.fileId, lines: totals.lines }, 'File written to Elasticsearch.');
    }
  } finally {
    await es.close();
  }
}

function advance(state: Progress, bytes: number, path: string, options: BackfillOptions): void {
  state.bytesDone += bytes;
  state.now = Date.now();
  options.onProgress?.({ ...state }, basename(path));
}

export async function backfill(config: Config, logger: Logger, options: BackfillOptions): Promise<BackfillResult> {
  const files = orderLogFiles(options.files);
  const progressPath = join(config.dataDir, 'import', 'progress.json');
  const saved: ProgressFile = options.restart ? { version: 1, files: {} } : loadProgress(progressPath);
  const state: Progress = {
    bytesDone: 0,
    bytesTotal: files.reduce((sum, f) => sum + decodedSize(f), 0),
    lines: 0,
    startedAt: Date.now(),
    now: Date.now(),
  };
  const result: BackfillResult = { files: 0, lines: 0, skipped: 0 };
  await (options.direct ? writeDirect : sendToKafka)({ config, logger, files, options, saved, progressPath, state, result });
  return result;
}
