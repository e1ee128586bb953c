/**
 * Background servers started by mailpulse: each runs in its own process group, with a pid file
 * that records the group and a marker (a path unique to this server) that must appear on the
 * process's command line. `stop` signals only a group whose leader still carries the marker, so
 * a recycled pid is never killed by mistake.
 */
import { type SpawnOptions, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { MailpulseError } from '../core/errors.js';

const PidFileSchema = z.object({ pid: z.number().int().positive(), marker: z.string(), startedAt: z.string() });
export type PidFile = z.infer<typeof PidFileSchema>;

export function readPidFile(path: string): PidFile | undefined {
  try {
    const parsed = PidFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The pid file's process is alive and is ours. */
export function isOurs(pidFile: PidFile | undefined): pidFile is PidFile {
  if (!pidFile) return false;
  try {
    const cmdline = readFileSync(`/proc/${pidFile.pid}/cmdline`, 'utf8');
    return cmdline.includes(pidFile.marker);
  } catch {
    return false;
  }
}

export interface StartSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
  pidFile: string;
  marker: string;
  uid?: number;
  gid?: number;
}

export function startDetached(spec: StartSpec): number {
  const fd = openSync(spec.logFile, 'a');
  const options: SpawnOptions = {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', fd, fd],
  };
  if (spec.uid !== undefined) options.uid = spec.uid;
  if (spec.gid !== undefined) options.gid = spec.gid;
  const child = spawn(spec.command, spec.args, options);
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`cannot start ${spec.command}`);
  child.unref();
  const pidFile: PidFile = { pid: child.pid, marker: spec.marker, startedAt: new Date().toISOString() };
  writeFileSync(spec.pidFile, `${JSON.stringify(pidFile)}\n`);
  return child.pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** SIGTERM the group, wait up to `graceMs`, then SIGKILL. Resolves when the leader is gone. */
export async function stopProcess(pidFilePath: string, graceMs = 30_000): Promise<boolean> {
  const pidFile = readPidFile(pidFilePath);
  if (!isOurs(pidFile)) {
    if (existsSync(pidFilePath)) rmSync(pidFilePath);
    return false;
  }
  signalGroup(pidFile.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pidFile.pid) && Date.now() < deadline) await sleep(200);
  if (alive(pidFile.pid)) signalGroup(pidFile.pid, 'SIGKILL');
  while (alive(pidFile.pid)) await sleep(100);
  // A group member may outlive its leader briefly (Elasticsearch's launcher and server JVM).
  signalGroup(pidFile.pid, 'SIGKILL');
  rmSync(pidFilePath, { force: true });
  return true;
}

/** SIGKILL the whole group at once: a crash, for tests. */
export async function killProcess(pidFilePath: string): Promise<void> {
  const pidFile = readPidFile(pidFilePath);
  if (!isOurs(pidFile)) return;
  signalGroup(pidFile.pid, 'SIGKILL');
  while (alive(pidFile.pid)) await sleep(50);
  rmSync(pidFilePath, { force: true });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

export interface ReadyWait {
  /** `Kafka on 127.0.0.1:9092`: who did not become ready, for the error. */
  what: string;
  ready: () => Promise<boolean>;
  pidFile: string;
  timeoutMs: number;
  everyMs: number;
  /** The log text shown when it does not come up. */
  logTail: () => string;
}

/**
 * Waits until the server answers; when it exits or times out, stops what is left of it and
 * throws with the tail of its log, so the person sees why.
 */
export async function waitUntilReady(w: ReadyWait): Promise<void> {
  const deadline = Date.now() + w.timeoutMs;
  while (Date.now() < deadline) {
    if (await w.ready()) return;
    if (!isOurs(readPidFile(w.pidFile))) break;
    await sleep(w.everyMs);
  }
  const exited = !isOurs(readPidFile(w.pidFile));
  await stopProcess(w.pidFile, 5000);
  throw new MailpulseError('MP_ERR_STACK_START', [w.what, `${exited ? 'the process exited' : 'timed out'}; ${w.logTail()}`]);
}
