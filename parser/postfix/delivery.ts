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
import {
  detail,
  email,
  endpointAt,
  isLoopback,
  keyReader,
  leadingInt,
  pf,
  seconds,
  secondsAt,
  stripAngles,
} from './fields.js';
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
  const s1 = value.indexOf('/');
  const s2 = value.indexOf('/', s1 + 1);
  const s3 = value.indexOf('/', s2 + 1);
  if (s1 < 0 || s2 < 0 || s3 < 0 || value.indexOf('/', s3 + 1) >= 0) return;
  const a = secondsAt(value, 0, s1);
  const b = secondsAt(value, s1 + 1, s2);
  const c = secondsAt(value, s2 + 1, s3);
  const d = secondsAt(value, s3 + 1, value.length);
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
    detail(event, 'soft_bounce', 1);
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
  if (rest !== '') detail(event, 'status_note', rest);
  return true;
}

const deliveryFields = keyReader(['to', 'status', 'orig_to', 'relay', 'delay', 'delays', 'dsn', 'conn_use']);

/** Parses `to=...` and the fields after it; true when the line had a known status. */
export function parseDelivery(event: MailEvent, s: string, processName: string): boolean {
  const fields = deliveryFields(s, 0);
  const to = fields[0];
  const st = fields[1];
  if (to === undefined || st === undefined) return false;
  event.event.action = 'delivery';
  email(event).to = { address: stripAngles(to) };
  const p = pf(event);
  const orig = fields[2];
  if (orig !== undefined) p.orig_to = stripAngles(orig);
  const r = fields[3];
  if (r !== undefined) relay(event, r);
  const delay = seconds(fields[4]);
  if (!Number.isNaN(delay)) p.delay = delay;
  const ds = fields[5];
  if (ds !== undefined) delays(event, ds);
  const dsn = fields[6];
  if (dsn !== undefined) p.dsn = dsn;
  const connUse = leadingInt(fields[7]);
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
