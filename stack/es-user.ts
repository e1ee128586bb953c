/**
 * Elasticsearch refuses to run as root. When mailpulse runs as root, Elasticsearch runs as a
 * dedicated system user (created when missing) that owns only the server's own folder.
 */
import { spawnSync } from 'node:child_process';
import { MailpulseError } from '../core/errors.js';
import { isRoot } from '../core/paths.js';

export const ES_USER = 'mailpulse-es';

export interface RunAs {
  uid: number;
  gid: number;
}

function lookup(user: string): RunAs | undefined {
  const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The identity Elasticsearch runs as, or undefined to run as the caller. */
export function elasticsearchUser(): RunAs | undefined {
  if (!isRoot()) return undefined;
  const existing = lookup(ES_USER);
  if (existing) return existing;
  const out = spawnSync(
    'useradd',
    ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', ES_USER],
    { encoding: 'utf8' },
  );
  const created = lookup(ES_USER);
  if (!created) {
    throw new MailpulseError('MP_ERR_STACK_TOOL', [
      `cannot create the user ${ES_USER} that Elasticsearch runs as: ${out.error?.message ?? out.stderr.trim()}`,
    ]);
  }
  return created;
}

/** True when `user` can reach `dir`: it and every parent are searchable. */
export function canReach(user: RunAs, dir: string): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid }).status === 0;
}
