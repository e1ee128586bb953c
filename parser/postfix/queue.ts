/**
 * Lines about queue files: qmgr(8) (a message enters the active queue, leaves it, expires),
 * pickup(8) (local submission), postsuper(1) (administrative delete/hold/requeue) and
 * bounce(8) (notifications to the sender, which are new messages with their own queue ID).
 */
import type { MailEvent } from '../../core/event.js';
import { parseDelivery } from './delivery.js';
import { detail, email, isQueueId, keyReader, leadingInt, pf, stripAngles } from './fields.js';

const queuedFields = keyReader(['from', 'status', 'size', 'nrcpt']);

export function parseQmgr(event: MailEvent, s: string): boolean {
  if (s === 'removed') {
    event.event.action = 'removed';
    return true;
  }
  if (s.startsWith('to=')) return parseDelivery(event, s, 'qmgr');
  if (s.startsWith('from=')) {
    const fields = queuedFields(s, 0);
    const from = fields[0];
    if (from === undefined) return false;
    email(event).from = { address: stripAngles(from) };
    const st = fields[1];
    if (st !== undefined) {
      // `from=<a>, status=expired, returned to sender`
      if (!st.startsWith('expired')) return false;
      event.event.action = 'expired';
      pf(event).status = 'expired';
      const note = st.slice(7).replace(/^, /, '');
      if (note !== '') detail(event, 'status_note', note);
      return true;
    }
    const size = leadingInt(fields[2]);
    const nrcptText = fields[3];
    const nrcpt = leadingInt(nrcptText);
    if (Number.isNaN(size) || Number.isNaN(nrcpt)) return false;
    event.event.action = 'queued';
    const p = pf(event);
    p.size = size;
    p.nrcpt = nrcpt;
    const queue = /\(queue (\w+)\)$/.exec(nrcptText ?? '');
    if (queue?.[1] !== undefined) detail(event, 'queue', queue[1]);
    return true;
  }
  if (s.startsWith('skipped, still being delivered')) {
    event.event.action = 'daemon';
    return true;
  }
  return false;
}

/** `QID: uid=0 from=<root>` */
export function parsePickup(event: MailEvent, s: string): boolean {
  const m = /^uid=(\d+) from=<([^>]*)>/.exec(s);
  if (m === null) return false;
  event.event.action = 'pickup';
  detail(event, 'uid', Number(m[1]));
  email(event).from = { address: m[2] ?? '' };
  return true;
}

const POSTSUPER: ReadonlyArray<readonly [string, MailEvent['event']['action']]> = [
  ['removed', 'removed'],
  ['placed on hold', 'hold'],
  ['released from hold', 'released'],
  ['requeued', 'requeued'],
];

export function parsePostsuper(event: MailEvent, s: string, qid: string): boolean {
  if (qid !== '') {
    for (const [text, action] of POSTSUPER) {
      if (s === text) {
        event.event.action = action;
        detail(event, 'by', 'postsuper');
        return true;
      }
    }
    return false;
  }
  // `Deleted: 12 messages`, `Requeued: 3 messages`, `Placed on hold: 1 message`
  const m = /^(Deleted|Requeued|Placed on hold|Released from hold): (\d+) messages?$/.exec(s);
  if (m === null) return false;
  event.event.action = 'daemon';
  detail(event, 'operation', (m[1] ?? '').toLowerCase());
  detail(event, 'count', Number(m[2]));
  return true;
}

/**
 * `QID: sender non-delivery notification: NEWQID` and its siblings for delay and success
 * DSNs; `postmaster non-delivery notification` for the copy to the postmaster.
 */
const NOTIFICATION =
  /^(sender|postmaster) (non-delivery|delay|delivery status) notification: ([0-9A-Za-z]+)$/;

export function parseBounce(event: MailEvent, s: string): boolean {
  const m = NOTIFICATION.exec(s);
  if (m === null || !isQueueId(m[3] ?? '')) return false;
  event.event.action = 'bounce_notification';
  const p = pf(event);
  p.next_queue_id = m[3];
  detail(event, 'notification', `${m[1]} ${m[2]}`);
  return true;
}
