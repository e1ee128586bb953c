/**
 * The programs around the queue: master(8) (start, stop, reload), postfix-script (the
 * `postfix` command), sendmail/postdrop (local submission), tlsmgr, verify, trivial-rewrite.
 * Most of their lines are `warning:`/`fatal:` (handled by the dispatcher); what is left are
 * lifecycle lines, all `daemon` events with `postfix.detail.state`.
 */
import type { MailEvent } from '../../core/event.js';
import { detail } from './fields.js';

const MASTER =
  /^(daemon started|reload|terminating on signal \d+|daemon stopped)(?: -- version ([^,]+), configuration (.+))?$/;

export function parseMaster(event: MailEvent, s: string): boolean {
  const m = MASTER.exec(s.length > 1024 ? s.slice(0, 1024) : s);
  if (m === null) return false;
  event.event.action = 'daemon';
  const state = m[1] ?? '';
  detail(
    event,
    'state',
    state.startsWith('terminating') ? 'stopped' : state === 'reload' ? 'reloaded' : 'started',
  );
  if (state.startsWith('terminating')) detail(event, 'signal', Number(state.slice(22)));
  if (m[2] !== undefined) detail(event, 'version', m[2]);
  if (m[3] !== undefined) detail(event, 'configuration', m[3]);
  return true;
}

const SCRIPT: ReadonlyArray<readonly [string, string]> = [
  ['starting the Postfix mail system', 'starting'],
  ['stopping the Postfix mail system', 'stopping'],
  ['refreshing the Postfix mail system', 'refreshing'],
  ['the Postfix mail system is running', 'running'],
  ['the Postfix mail system is not running', 'not running'],
  ['waiting for the Postfix mail system to terminate', 'stopping'],
];

export function parsePostfixScript(event: MailEvent, s: string): boolean {
  for (const [text, state] of SCRIPT) {
    if (s.startsWith(text)) {
      event.event.action = 'daemon';
      detail(event, 'state', state);
      return true;
    }
  }
  return false;
}

/** Everything else Postfix runs: postlog text from scripts, verify's cache cleanup. */
export function parseAdminLine(event: MailEvent, process: string, s: string): boolean {
  if (process === 'postlog') {
    // Free text an administrator's script logged: not Postfix's own words.
    event.event.action = 'other';
    return true;
  }
  if (process === 'verify' && s.startsWith('cache ') && s.indexOf(' full cleanup: ') > 0) {
    event.event.action = 'daemon';
    detail(event, 'state', 'cache cleanup');
    return true;
  }
  return false;
}
