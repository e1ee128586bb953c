/**
 * Reason classification for rejects, deferrals and bounces: a category an operator can chart
 * (`rbl`, `unknown_user`, ...), the DNSBL that listed the client, and the reason text with its
 * variable parts (addresses, IPs, host names with IPs, queue IDs, numbers) replaced by `*`, so
 * that "top reasons" counts `blocked using zen.spamhaus.org` from a thousand clients as one row.
 *
 * Rules are tried in order; the first match wins. Only the first MAX_INPUT characters are
 * read, which bounds the regex work on pathological lines.
 */
import type { ReasonCategory } from '../core/event.js';

const MAX_INPUT = 600;
const MAX_TEXT = 240;

export interface Reason {
  category: ReasonCategory;
  text: string;
  rbl?: string;
}

const RULES: ReadonlyArray<readonly [ReasonCategory, RegExp]> = [
  [
    'rbl',
    /blocked using |listed (?:by|at|on|in) |\b(?:spamhaus|spamcop|barracuda|sorbs|dnsbl|blocklist|blacklist|denylist)\b/i,
  ],
  ['greylist', /gr[ea]ylist|try again later, please|deferred for \d+ seconds/i],
  ['spf', /\bSPF\b|sender policy framework/i],
  ['dkim', /\bDKIM\b|\bDMARC\b|\bARC\b/],
  [
    'relay_denied',
    /relay access denied|relaying denied|relay not permitted|not permitted to relay|unable to relay/i,
  ],
  [
    'helo',
    /helo command rejected|ehlo command rejected|\bhelo\b.*(?:invalid|rejected|hostname)|invalid helo/i,
  ],
  [
    'client_hostname',
    /client host rejected: cannot find your (?:reverse )?hostname|cannot find your hostname|reverse (?:dns|hostname)|\bPTR\b/i,
  ],
  [
    'mailbox_full',
    /mailbox (?:is )?full|over ?quota|quota exceeded|insufficient (?:system )?storage|exceeded storage|mailbox size limit|\b[45]\.2\.2\b/i,
  ],
  ['sender_domain', /sender address rejected|sender domain|unverified sender|\b[45]\.1\.[78]\b/i],
  [
    'unknown_user',
    /user unknown|unknown user|no such (?:user|mailbox|recipient)|recipient address rejected: (?:user unknown|undeliverable|unverified)|mailbox (?:unavailable|not found|does not exist)|recipient address rejected|address (?:does not exist|not found)|(?:user|recipient|account|mailbox) (?:does not exist|not found)|invalid recipient|unknown recipient|\b5\.1\.[01]\b/i,
  ],
  [
    'rate_limit',
    /rate limit|too many (?:connections|messages|recipients|errors|sessions)|too much mail|throttl|try again in|\b4\.7\.28\b|exceeded .*limit/i,
  ],
  ['tls', /\bTLS\b|STARTTLS|certificate|\bSSL\b|handshake/i],
  [
    'content',
    /spam|virus|malware|content|message rejected|header_checks|body_checks|\bheader\b|\bbody\b|attachment|phish/i,
  ],
  [
    'policy',
    /polic|access denied|not allowed|prohibited|administratively|size exceeds|too (?:large|big)|\b5\.7\.1\b|\b5\.3\.4\b/i,
  ],
  [
    'dns',
    /host or domain name not found|domain not found|name service error|no address|domain does not accept mail|null ?mx|unknown domain/i,
  ],
  ['dns', /\bDNS\b|\bMX\b/],
  [
    'connection',
    /connection (?:timed out|refused|reset)|lost connection|no route to host|network is unreachable|timed out|conversation with|connect to|unable to connect|server unavailable|delivery temporarily suspended/i,
  ],
  ['remote_reject', /\bsaid: |\b5\d\d\b/],
];

const RBL_NAME =
  /(?:blocked using|listed (?:by|at|on|in)(?: domain)?) ([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9])/i;

/**
 * One pass over the variable tokens. Alternatives, most specific first: `host[ip]:port`, a bare
 * `[ip]`, an `<address>`, a bare address, a URL (kept to its host), then what is kept as the
 * reason's gist: an enhanced status code, or a reply code at the start, after `said: ` or before
 * an enhanced code; last, any other token with a digit.
 */
const VARIABLE =
  /[A-Za-z0-9._-]*\[[^\]\s]{1,64}\](?::\d{1,5})?|<[^<>\s]{0,256}>|[^\s<>@;,()]{1,64}@[A-Za-z0-9.-]{1,255}|(https?:\/\/[^/\s]{1,255})[^\s)]*|(\b[2-5]\.\d{1,3}\.\d{1,3}\b|(?<=^|said: )[2-5]\d\d\b|\b[2-5]\d\d(?=[ -][2-5]\.\d))|[A-Za-z0-9+/=_-]*\d[A-Za-z0-9+/=_.-]*/g;

function replaceVariable(match: string, url: string | undefined, code: string | undefined): string {
  if (url !== undefined) return `${url}/*`;
  if (code !== undefined) return code;
  return match.charCodeAt(0) === 60 ? '<*>' : '*';
}

function mask(input: string): string {
  return input
    .replace(VARIABLE, replaceVariable)
    .replace(/\*(?:[ .:,-]*\*)+/g, '*')
    .trim();
}

function shorten(masked: string): string {
  return masked.length > MAX_TEXT ? `${masked.slice(0, MAX_TEXT)}…` : masked;
}

export function normalizeReason(text: string): string {
  return shorten(mask(text.length > MAX_INPUT ? text.slice(0, MAX_INPUT) : text));
}

/**
 * Rules see the normalized text, so a host name (`spam-gw.example[192.0.2.1]`) or an address
 * cannot make a reason look like something it is not; the DNSBL name comes from the original.
 */
export function classifyReason(text: string): Reason {
  const input = text.length > MAX_INPUT ? text.slice(0, MAX_INPUT) : text;
  const masked = mask(input);
  let category: ReasonCategory = 'other';
  for (const [c, re] of RULES) {
    if (re.test(masked)) {
      category = c;
      break;
    }
  }
  const reason: Reason = { category, text: shorten(masked) };
  if (category === 'rbl') {
    const m = RBL_NAME.exec(input);
    if (m?.[1] !== undefined) reason.rbl = m[1].toLowerCase();
  }
  return reason;
}
