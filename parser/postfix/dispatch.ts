/**
 * The message text of a Postfix program → the event's action and fields. `warning:`,
 * `fatal:` and `panic:` (any daemon) are handled here; the queue ID prefix is split off; the
 * rest goes to the module of the process that wrote the line. A line no rule matches is
 * `unparsed` with `event.reason` naming the process, so coverage gaps are countable.
 */
import type { MailEvent } from '../../core/event.js';
import { parseAdminLine, parseMaster, parsePostfixScript } from './admin.js';
import { parseAnvil, parseScache } from './anvil.js';
import { parseCleanup } from './cleanup.js';
import { parseDelivery } from './delivery.js';
import { endpointAt, queueIdLength, setSource } from './fields.js';
import { parseDnsblog, parsePostscreen, parseTlsproxy } from './postscreen.js';
import { parseBounce, parsePickup, parsePostsuper, parseQmgr } from './queue.js';
import { parseSmtpClient } from './smtp.js';
import { parseSmtpd, parseSmtpdWarning } from './smtpd.js';

const DELIVERY_AGENTS: ReadonlySet<string> = new Set([
  'smtp',
  'lmtp',
  'local',
  'virtual',
  'pipe',
  'error',
  'discard',
  'relay',
  'retry',
]);

function severity(event: MailEvent, message: string, process: string): boolean {
  let action: 'warning' | 'fatal' | 'panic';
  let skip: number;
  if (message.startsWith('warning: ')) {
    action = 'warning';
    skip = 9;
  } else if (message.startsWith('fatal: ')) {
    action = 'fatal';
    skip = 7;
  } else if (message.startsWith('panic: ')) {
    action = 'panic';
    skip = 7;
  } else if (message.startsWith('error: ')) {
    // Postfix logs `error:` for conditions between warning and fatal (e.g. bad table lookups).
    action = 'warning';
    skip = 7;
  } else return false;
  event.event.action = action;
  const text = message.slice(skip);
  if (action === 'warning' && (process === 'smtpd' || process === 'postscreen'))
    parseSmtpdWarning(event, text);
  if (event.event.action === action) {
    // A client named in the warning (`hostname x does not resolve ...`, `non-SMTP command from x[ip]`).
    const open = text.indexOf('[');
    if (open > 0 && open < 512) {
      let start = open;
      while (start > 0 && text.charCodeAt(start - 1) !== 32) start--;
      const ep = endpointAt(text, start);
      if (ep !== undefined && ep.ip !== '') setSource(event, ep);
    }
  }
  return true;
}

function byProcess(event: MailEvent, process: string, message: string, qid: string, rest: string): boolean {
  switch (process) {
    case 'smtpd':
    case 'qmqpd':
      return parseSmtpd(event, rest, qid);
    case 'postscreen':
      return parsePostscreen(event, message);
    case 'dnsblog':
      return parseDnsblog(event, message);
    case 'tlsproxy':
      return parseTlsproxy(event, message);
    case 'cleanup':
      return qid !== '' && parseCleanup(event, rest);
    case 'qmgr':
    case 'oqmgr':
      return qid !== '' && parseQmgr(event, rest);
    case 'pickup':
      return qid !== '' && parsePickup(event, rest);
    case 'bounce':
    case 'defer':
    case 'trace':
      return qid !== '' && parseBounce(event, rest);
    case 'anvil':
      return parseAnvil(event, message);
    case 'scache':
      return parseScache(event, message);
    case 'master':
      return parseMaster(event, message);
    case 'postfix-script':
      return parsePostfixScript(event, message);
    case 'postsuper':
      return parsePostsuper(event, rest, qid);
    default:
      if (DELIVERY_AGENTS.has(process)) {
        if (qid !== '' && rest.startsWith('to=')) return parseDelivery(event, rest, process);
        return parseSmtpClient(event, rest, qid);
      }
      return parseAdminLine(event, process, message);
  }
}

export function parsePostfixMessage(message: string, process: string, event: MailEvent): void {
  if (severity(event, message, process)) return;
  const qlen = queueIdLength(message);
  let qid = '';
  let rest = message;
  if (qlen > 0) {
    rest = message.slice(qlen + 2);
    // NOQUEUE marks a transaction without a queue file: no local_id, parsed like an ID-less line.
    if (qlen !== 7 || !message.startsWith('NOQUEUE')) {
      qid = message.slice(0, qlen);
      event.email = { local_id: qid };
    }
  }
  if (severity(event, rest, process)) return;
  if (!byProcess(event, process, message, qid, rest)) {
    event.event.action = 'unparsed';
    event.event.reason = `no rule for this ${process} line`;
  }
}
