/**
 * anvil(8) and scache(8) periodic statistics. `statistics:` is not a queue ID.
 *
 *   statistics: max connection rate 3/60s for (smtpd:192.0.2.1) at Mar 14 00:10:31
 *   statistics: max cache size 12 at Mar 14 00:10:31
 *   statistics: domain lookup hits=0 miss=2 success=0%
 */
import type { MailEvent } from '../../core/event.js';
import { detail } from './fields.js';

const ANVIL =
  /^statistics: max (connection rate|connection count|message rate|recipient rate|newtls rate|newtls cache size|auth rate|cache size) (\d+)(?:\/(\d+)s)?(?: for \(([^:)]+):([^)]+)\))? at (.+)$/;

export function parseAnvil(event: MailEvent, s: string): boolean {
  const m = ANVIL.exec(s.length > 1024 ? s.slice(0, 1024) : s);
  if (m === null) return false;
  event.event.action = 'anvil';
  detail(event, 'statistic', (m[1] ?? '').replace(/ /g, '_'));
  detail(event, 'value', Number(m[2]));
  if (m[3] !== undefined) detail(event, 'interval_seconds', Number(m[3]));
  if (m[4] !== undefined) detail(event, 'anvil_service', m[4]);
  if (m[5] !== undefined) event.source = { ip: m[5] };
  detail(event, 'at', m[6] ?? '');
  return true;
}

const SCACHE = /^statistics: (start interval|domain lookup|address lookup|max simultaneous) ?(.*)$/;

export function parseScache(event: MailEvent, s: string): boolean {
  const m = SCACHE.exec(s.length > 1024 ? s.slice(0, 1024) : s);
  if (m === null) return false;
  event.event.action = 'scache';
  detail(event, 'statistic', (m[1] ?? '').replace(/ /g, '_'));
  if (m[2] !== undefined && m[2] !== '') detail(event, 'value', m[2]);
  return true;
}
