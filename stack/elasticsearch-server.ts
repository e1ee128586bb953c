/**
 * A single-node Elasticsearch from the Maven Central integ-test zip. Its home stays read-only
 * in the cache; config, data, logs and pid file live in the server's own folder, owned by the
 * user it runs as. Security is off and disk thresholds are disabled: this is a development
 * node on loopback, and a nearly full disk must not turn indices read-only mid-test.
 */
import { chownSync, cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MailpulseError } from '../core/errors.js';
import { elasticsearchHome } from './artifacts.js';
import { ES_USER, type RunAs, canReach, elasticsearchUser } from './es-user.js';
import { findJavaHome } from './java.js';
import type { ServerHandle, ServerOptions } from './kafka-server.js';
import { isOurs, killProcess, readPidFile, startDetached, stopProcess, tail, waitUntilReady } from './processes.js';

function settings(port: number): string {
  return [
    'cluster.name: mailpulse-dev',
    'node.name: mailpulse-dev',
    'network.host: 127.0.0.1',
    `http.port: ${port}`,
    `transport.port: ${port + 100}`,
    'discovery.type: single-node',
    'xpack.security.enabled: false',
    'cluster.routing.allocation.disk.threshold_enabled: false',
    'action.destructive_requires_name: false',
    '',
  ].join('\n');
}

function chownTree(path: string, user: RunAs): void {
  chownSync(path, user.uid, user.gid);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), user);
}

export function elasticsearchServer(options: ServerOptions & { heap?: string }): ServerHandle {
  const { port, dir } = options;
  const address = `http://127.0.0.1:${port}`;
  const config = join(dir, 'config');
  const logs = join(dir, 'logs');
  const logFile = join(logs, 'console.out');
  const pidFile = join(dir, 'elasticsearch.pid');

  async function ready(): Promise<boolean> {
    try {
      const res = await fetch(`${address}/_cluster/health`, { signal: AbortSignal.timeout(3000) });
      if (!res.ok) return false;
      const body = (await res.json()) as { status?: string };
      return body.status === 'green' || body.status === 'yellow';
    } catch {
      return false;
    }
  }

  return {
    address,
    logFile,
    running: () => isOurs(readPidFile(pidFile)),
    ready,
    async start() {
      if (isOurs(readPidFile(pidFile)) && (await ready())) return;
      const home = elasticsearchHome();
      const java = findJavaHome();
      const user = elasticsearchUser();
      for (const d of [dir, logs, join(dir, 'data'), join(dir, 'tmp')]) mkdirSync(d, { recursive: true });
      if (!existsSync(join(config, 'jvm.options'))) cpSync(join(home, 'config'), config, { recursive: true });
      writeFileSync(join(config, 'elasticsearch.yml'), settings(port));
      const heap = options.heap ?? '1g';
      mkdirSync(join(config, 'jvm.options.d'), { recursive: true });
      writeFileSync(join(config, 'jvm.options.d', 'mailpulse.options'), `-Xms${heap}\n-Xmx${heap}\n`);
      if (user) {
        chownTree(dir, user);
        if (!canReach(user, dir)) {
          throw new MailpulseError('MP_ERR_STACK_TOOL', [
            `${dir} is not reachable by the user ${ES_USER} that Elasticsearch runs as: every parent folder must be searchable (o+x)`,
          ]);
        }
      }
      startDetached({
        command: join(home, 'bin', 'elasticsearch'),
        // On the command line (not in elasticsearch.yml) so that the pid file's marker is there.
        args: [`-Epath.data=${join(dir, 'data')}`, `-Epath.logs=${logs}`],
        env: {
          PATH: process.env.PATH,
          LANG: 'C.UTF-8',
          HOME: dir,
          ES_HOME: home,
          ES_PATH_CONF: config,
          ES_JAVA_HOME: java.home,
          ES_TMPDIR: join(dir, 'tmp'),
        },
        // The JVM writes gc.log and crash files relative to its working directory.
        cwd: logs,
        logFile,
        pidFile,
        marker: `-Epath.data=${join(dir, 'data')}`,
        ...(user ?? {}),
      });
      await waitUntilReady({
        what: `Elasticsearch on ${address}`,
        ready,
        pidFile,
        timeoutMs: options.readyTimeoutMs ?? 180_000,
        everyMs: 1000,
        logTail: () => `last lines of ${logFile}:\n${tail(logFile)}`,
      });
    },
    async stop() {
      await stopProcess(pidFile, 60_000);
    },
    kill: () => killProcess(pidFile),
  };
}
