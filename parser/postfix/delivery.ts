/**
 * Delivery-attempt lines of smtp, lmtp, local, virtual, pipe, error, discard, relay (and qmgr,
 * which logs the same shape for recipients it gives up on):
 *
 *   QID: to=<r>, orig_to=<o>, relay=mx.example[192.0.2.7]:25, conn_use=2, delay=1.2,
 *        delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4XyZ)
 *
 * The response in parentheses may itself contain parentheses; it runs to the line's last `)`.
 */
import { DELIVERY_STATUSES, type DeliveryStatus, type MailEvent } from '../../core/event.js';
import { endpointAt, isLoopback, keyValues, leadingInt, pf, seconds, stripAngles } from './fields.js';
import { setReason } from './reject.js';

const STATUSES: ReadonlySet<string> = new Set(DELIVERY_STATUSES);

/** `queued as X` (re-injection, relay), `forwarded as X` (local aliases/.forward). */
const NEXT_QUEUE_ID = /\b(?:queued|forwarded) as ([0-9A-Za-z]{5,24})\b/;

function relay(event: MailEvent, value: string): void {
  const p = pf(event);
  const ep = endpointAt(value, 0);
  if (ep === undefined) {
    p.relay = { hostname: value };
    return;
  }
  const r: NonNullable<NonNullable<MailEvent['postfix']>['relay']> = {};
  if (ep.name !== '') r.hostname = ep.name;
  if (ep.ip !== '') r.ip = ep.ip;
  if (ep.port >= 0) r.port = ep.port;
  p.relay = r;
}

function delays(event: MailEvent, value: string): void {
  const parts = value.split('/');
  if (parts.length !== 4) return;
  const a = seconds(parts[0]);
  const b = seconds(parts[1]);
  const c = seconds(parts[2]);
  const d = seconds(parts[3]);
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(c) || Number.isNaN(d)) return;
  pf(event).delays = { before_qmgr: a, in_qmgr: b, conn_setup: c, transmission: d };
}

/** `sent (250 ok)` → status and response; false when the status word is unknown. */
function status(event: MailEvent, value: string): boolean {
  const sp = value.indexOf(' ');
  const word = sp < 0 ? value : value.slice(0, sp);
  const p = pf(event);
  if (word === 'SOFTBOUNCE') {
    // soft_bounce=yes: a would-be bounce kept in the queue, i.e. a deferral.
    p.status = 'deferred';
    p.detail = { ...p.detail, soft_bounce: 1 };
  } else if (STATUSES.has(word)) p.status = word as DeliveryStatus;
  else return false;
  if (sp < 0) return true;
  let rest = value.slice(sp + 1);
  if (rest.charCodeAt(0) === 40) {
    const close = rest.lastIndexOf(')');
    p.response = close > 0 ? rest.slice(1, close) : rest.slice(1);
    rest = close > 0 ? rest.slice(close + 1).trim() : '';
  }
  // qmgr: `status=expired, returned to sender`
  if (rest.startsWith(', ')) rest = rest.slice(2);
  if (rest !== '') p.detail = { ...p.detail, status_note: rest };
  return true;
}

/** Parses `to=...` and the fields after it; true when the line had a known status. */
export function parseDelivery(event: MailEvent, s: string, processName: string): boolean {
  const kv = new Map<string, string>();
  keyValues(s, 0, kv);
  const to = kv.get('to');
  const st = kv.get('status');
  if (to === undefined || st === undefined) return false;
  event.event.action = 'delivery';
  event.email = { ...event.email, to: { address: stripAngles(to) } };
  const p = pf(event);
  const orig = kv.get('orig_to');
  if (orig !== undefined) p.orig_to = stripAngles(orig);
  const r = kv.get('relay');
  if (r !== undefined) relay(event, r);
  const delay = seconds(kv.get('delay'));
  if (!Number.isNaN(delay)) p.delay = delay;
  const ds = kv.get('delays');
  if (ds !== undefined) delays(event, ds);
  const dsn = kv.get('dsn');
  if (dsn !== undefined) p.dsn = dsn;
  const connUse = leadingInt(kv.get('conn_use'));
  if (!Number.isNaN(connUse)) p.conn_use = connUse;
  if (!status(event, st)) return false;
  const response = p.response ?? '';
  const next = NEXT_QUEUE_ID.exec(response.length > 2048 ? response.slice(0, 2048) : response);
  if (next?.[1] !== undefined) p.next_queue_id = next[1];
  // A hand-off to a content filter on this host: smtp to loopback, or any loopback delivery that
  // the far side answered with `queued as` (lmtp to a local dovecot on 127.0.0.1 is final).
  const relayIp = p.relay?.ip;
  if (relayIp !== undefined && isLoopback(relayIp) && (processName === 'smtp' || next !== null)) {
    p.hop = 'internal';
  }
  if (
    p.status === 'deferred' ||
    p.status === 'bounced' ||
    p.status === 'expired' ||
    p.status === 'undeliverable'
  ) {
    setReason(event, response === '' ? (p.detail?.status_note?.toString() ?? p.status) : response);
  }
  return true;
}
