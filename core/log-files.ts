/**
 * Reading mail logs as they sit on disk: plain or gzip (found by magic bytes, not by name), a
 * rotated set put in time order, stdin. Lines come out in batches (arrays) to keep the async
 * overhead per line near zero; memory is one read chunk plus one partial line.
 *
 * Invalid UTF-8 becomes U+FFFD (never an exception); `\r\n` endings lose the `\r`; a line longer
 * than `maxLineBytes` is cut into pieces rather than held whole.
 */
import { open } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MailpulseError } from './errors.js';

export interface ReadOptions {
  /** Read chunk size, bytes. Default 1 MiB. */
  chunkBytes?: number;
  /** A line longer than this many bytes is split into pieces. Default 1 MiB. */
  maxLineBytes?: number;
}

interface Rotation {
  base: string;
  /** Sort key inside one base: older first. */
  age: number;
  order: number;
}

/**
 * `mail.log.3.gz, mail.log.2.gz, mail.log.1, mail.log` (logrotate numbering, higher is older)
 * and `mail.log-20230312.gz, mail.log-20230313, mail.log` (dateext, later is newer). Files of
 * one rotated set are put oldest first; different sets keep the order they were given in.
 */
export function orderLogFiles(paths: readonly string[]): string[] {
  const rotations = paths.map((p, order): Rotation & { path: string } => {
    const name = basename(p).replace(/\.(gz|xz|bz2)$/, '');
    const numbered = /^(.*)\.(\d{1,3})$/.exec(name);
    if (numbered) return { path: p, base: `${dirname(p)}/${numbered[1]}`, age: -Number(numbered[2]), order };
    const dated = /^(.*)-(\d{8}|\d{10})$/.exec(name);
    if (dated) return { path: p, base: `${dirname(p)}/${dated[1]}`, age: Number(dated[2]) - 1e11, order };
    return { path: p, base: `${dirname(p)}/${name}`, age: 0, order };
  });
  const firstOfBase = new Map<string, number>();
  for (const r of rotations) if (!firstOfBase.has(r.base)) firstOfBase.set(r.base, r.order);
  return [...rotations]
    .sort(
      (a, b) =>
        (firstOfBase.get(a.base) ?? 0) - (firstOfBase.get(b.base) ?? 0) || a.age - b.age || a.order - b.order,
    )
    .map((r) => r.path);
}

const GZIP = [0x1f, 0x8b];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const BZIP2 = [0x42, 0x5a, 0x68];

function startsWith(buf: Buffer, magic: number[]): boolean {
  return buf.length >= magic.length && magic.every((b, i) => buf[i] === b);
}

/** Splits a byte stream into line batches; gunzips it first when it starts with the gzip magic. */
async function* linesOf(
  stream: AsyncIterable<Buffer>,
  name: string,
  options: ReadOptions,
): AsyncGenerator<string[]> {
  const maxLine = options.maxLineBytes ?? 1 << 20;
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head: Buffer = first.value;
  if (startsWith(head, XZ) || startsWith(head, BZIP2)) {
    throw new MailpulseError('MP_ERR_INPUT_FILE', [
      name,
      `xz/bzip2 is not read directly; pipe it: xz -dc ${name} | mailpulse ...`,
    ]);
  }
  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  }
  let source: AsyncIterable<Buffer> = rest();
  if (startsWith(head, GZIP)) source = Readable.from(rest()).pipe(createGunzip({ chunkSize: 1 << 20 }));
  // Each line is decoded from the bytes on its own: a line sliced out of a decoded chunk would
  // keep the whole chunk alive for as long as any field of it is (the correlator holds message
  // fields for hours of log time), so memory would grow with the input, not with open messages.
  let partial: Buffer | undefined;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const lines: string[] = [];
      let start = 0;
      let nl = chunk.indexOf(10);
      if (partial !== undefined && nl >= 0) {
        lines.push(decodeLine(Buffer.concat([partial, chunk.subarray(0, nl)])));
        partial = undefined;
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      while (nl >= 0) {
        const end = nl > start && chunk[nl - 1] === 13 ? nl - 1 : nl;
        lines.push(chunk.toString('utf8', start, end));
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      if (start < chunk.length) {
        partial =
          partial === undefined
            ? Buffer.from(chunk.subarray(start))
            : Buffer.concat([partial, chunk.subarray(start)]);
        while (partial.length > maxLine) {
          lines.push(partial.toString('utf8', 0, maxLine));
          partial = Buffer.from(partial.subarray(maxLine));
        }
      }
      if (lines.length > 0) yield lines;
    }
  } catch (err) {
    if (err instanceof MailpulseError) throw err;
    throw new MailpulseError('MP_ERR_INPUT_FILE', [name, (err as Error).message]);
  }
  if (partial !== undefined && partial.length > 0) yield [decodeLine(partial)];
}

function decodeLine(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
  return bytes.toString('utf8', 0, end);
}

/** The lines of one file (plain or gzip) in batches. */
export async function* readLogFile(path: string, options: ReadOptions = {}): AsyncGenerator<string[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new MailpulseError('MP_ERR_INPUT_FILE', [
      path,
      (err as NodeJS.ErrnoException).code ?? (err as Error).message,
    ]);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new MailpulseError('MP_ERR_INPUT_FILE', [path, 'is a directory']);
    const stream = handle.createReadStream({
      highWaterMark: options.chunkBytes ?? 1 << 20,
      autoClose: false,
    });
    yield* linesOf(stream, path, options);
  } finally {
    await handle.close();
  }
}

/** Every line of the given files, rotated sets oldest first (`orderLogFiles`); stdin when none. */
export async function* readLogFiles(
  paths: readonly string[],
  options: ReadOptions = {},
): AsyncGenerator<string[]> {
  if (paths.length === 0) {
    yield* linesOf(process.stdin, 'stdin', options);
    return;
  }
  for (const path of orderLogFiles(paths)) yield* readLogFile(path, options);
}
