/**
 * The stack's binaries come from Maven Central through `stack/pom.xml`: Kafka's jars with their
 * runtime dependencies, and the Elasticsearch integ-test zip. Maven caches the downloads in
 * ~/.m2; the unpacked copies are cached in the stack cache folder, so only the first `up` on a
 * machine pays for them. Each copy is prepared in a temporary folder and renamed into place,
 * so an interrupted download never leaves a half-filled cache behind.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MailpulseError } from '../core/errors.js';
import { isRoot, repoPath } from '../core/paths.js';

export const KAFKA_VERSION = '3.9.2';
export const ELASTICSEARCH_VERSION = '8.19.21';

/** World-readable when root, because Elasticsearch runs as a separate user and reads from here. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MAILPULSE_CACHE_DIR) return env.MAILPULSE_CACHE_DIR;
  if (isRoot()) return '/var/cache/mailpulse';
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mailpulse');
}

function mvn(args: string[]): void {
  const out = spawnSync('mvn', ['-q', '-B', '-f', repoPath('stack', 'pom.xml'), ...args], { encoding: 'utf8' });
  if (out.error) {
    throw new MailpulseError('MP_ERR_STACK_TOOL', [
      `Maven is needed to fetch the local stack (${out.error.message}): install it (apt-get install maven)`,
    ]);
  }
  if (out.status !== 0) {
    const tail = `${out.stdout}${out.stderr}`.trim().split('\n').slice(-8).join(' | ');
    throw new MailpulseError('MP_ERR_STACK_TOOL', [`mvn ${args.join(' ')} failed: ${tail}`]);
  }
}

function prepare(final: string, fill: (tmp: string) => void): string {
  if (existsSync(final)) return final;
  const tmp = `${final}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o755 });
  try {
    fill(tmp);
    renameSync(tmp, final);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return final;
}

/** Folder holding every jar the broker needs on its classpath. */
export function kafkaLibs(env: NodeJS.ProcessEnv = process.env): string {
  const root = cacheDir(env);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  return prepare(join(root, `kafka-${KAFKA_VERSION}-libs`), (tmp) => {
    mvn(['-Pkafka', 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime']);
  });
}

/** The unpacked Elasticsearch home (read-only at run time: config, data and logs live elsewhere). */
export function elasticsearchHome(env: NodeJS.ProcessEnv = process.env): string {
  const root = cacheDir(env);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  chmodSync(root, 0o755);
  const unpacked = prepare(join(root, `elasticsearch-${ELASTICSEARCH_VERSION}-home`), (tmp) => {
    const zips = join(tmp, 'zip');
    mvn(['-Pelasticsearch', 'dependency:copy-dependencies', `-DoutputDirectory=${zips}`]);
    const zip = readdirSync(zips).find((f) => f.endsWith('.zip'));
    if (!zip) throw new MailpulseError('MP_ERR_STACK_TOOL', ['Maven returned no Elasticsearch zip']);
    const out = spawnSync('unzip', ['-q', join(zips, zip), '-d', tmp], { encoding: 'utf8' });
    if (out.status !== 0) {
      const jar = spawnSync('jar', ['xf', join(zips, zip)], { cwd: tmp, encoding: 'utf8' });
      if (jar.status !== 0) throw new MailpulseError('MP_ERR_STACK_TOOL', ['cannot unpack the Elasticsearch zip: install unzip']);
      spawnSync('chmod', ['-R', 'a+rX,u+w', tmp]);
      spawnSync('sh', ['-c', `chmod a+x ${tmp}/*/bin/*`]);
    }
    rmSync(zips, { recursive: true, force: true });
  });
  const inner = readdirSync(unpacked).find((d) => d.startsWith('elasticsearch-'));
  if (!inner) throw new MailpulseError('MP_ERR_STACK_TOOL', [`unexpected layout in ${unpacked}`]);
  return join(unpacked, inner);
}
