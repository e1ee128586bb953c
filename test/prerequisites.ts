/**
 * System packages some integration tests need, installed by the test run itself when missing
 * (CI runs `npm ci && npm test` on a fresh machine and nothing else). Installing needs root and
 * apt-get; elsewhere the run says what to install and those tests skip themselves with a reason.
 * MAILPULSE_TEST_NO_INSTALL=1 turns installing off.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isRoot } from '../core/paths.js';

interface Prerequisite {
  name: string;
  /** Path whose presence means the prerequisite is there. */
  path: string;
  apt: string[];
}

export const CHROMIUM_PATH = '/usr/bin/chromium';

const PREREQUISITES: Prerequisite[] = [{ name: 'headless Chromium (page tests)', path: CHROMIUM_PATH, apt: ['chromium'] }];

export async function ensurePrerequisites(log: (line: string) => void): Promise<void> {
  const missing = PREREQUISITES.filter((p) => !existsSync(p.path));
  if (missing.length === 0) return;
  const packages = missing.flatMap((p) => p.apt);
  const canInstall = isRoot() && existsSync('/usr/bin/apt-get') && process.env.MAILPULSE_TEST_NO_INSTALL !== '1';
  if (!canInstall) {
    log(`Missing ${missing.map((p) => p.name).join(', ')}: install ${packages.join(' ')}; those tests will skip.`);
    return;
  }
  log(`Installing ${packages.join(' ')} for ${missing.map((p) => p.name).join(', ')} ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  const out = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    encoding: 'utf8',
    env,
  });
  if (out.status !== 0) log(`apt-get install failed (${out.stderr.trim().split('\n').at(-1)}); those tests will skip.`);
}
