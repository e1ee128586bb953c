import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { MailpulseError } from '../core/errors.js';

/** Finds a Java 17+ home: ES_JAVA_HOME, JAVA_HOME, then the `java` on PATH. */
export function findJavaHome(env: NodeJS.ProcessEnv = process.env): { home: string; major: number } {
  const candidates = [env.ES_JAVA_HOME, env.JAVA_HOME, javaOnPath(env)].filter((c): c is string => !!c);
  for (const home of candidates) {
    const java = join(home, 'bin', 'java');
    if (!existsSync(java)) continue;
    const major = javaMajor(java);
    if (major >= 17) return { home, major };
  }
  throw new MailpulseError('MP_ERR_STACK_TOOL', [
    'Java 17 or newer is needed for the local stack: install a JDK (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME',
  ]);
}

function javaOnPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const java = join(dir, 'java');
    if (existsSync(java)) return dirname(dirname(realpathSync(java)));
  }
  return undefined;
}

function javaMajor(java: string): number {
  const out = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${out.stderr}${out.stdout}`);
  if (!m) return 0;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}
