// The built-in page: three views over the public /api/v1 endpoints, a time range, live
// refresh, a message-trace search and the active alerts. State lives in the URL hash
// (#view=queue&range=now-7d&refresh=60) so a link reproduces what someone is looking at.
import { COLORS, donut, formatNumber, formatPercent, hbars, lines, stackedBars, table } from './charts.js';

const $ = (id) => document.getElementById(id);
const state = { view: 'delivery', range: 'now-24h', refresh: 60 };
let timer;
let loading = 0;

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  if (['delivery', 'rejections', 'queue'].includes(h.get('view'))) state.view = h.get('view');
  if (h.get('range') && [...$('range').options].some((o) => o.value === h.get('range')))
    state.range = h.get('range');
  if (h.get('refresh') && [...$('refresh').options].some((o) => o.value === h.get('refresh')))
    state.refresh = Number(h.get('refresh'));
}

function writeHash() {
  history.replaceState(
    null,
    '',
    `#${new URLSearchParams({ view: state.view, range: state.range, refresh: String(state.refresh) })}`,
  );
}

const TOKEN_KEY = 'mailpulse.token';
// Asked once per page load: parallel requests and live refreshes must not stack prompts.
let tokenDeclined = false;

/** GET /api/v1/<path>; with API_TOKEN set on the server, asks for the token and keeps it. */
async function api(path, params = {}) {
  const url = new URL(`/api/v1/${path}`, location.origin);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  const token = localStorage.getItem(TOKEN_KEY);
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status === 401) {
    // Another request may have asked for it while this one was under way.
    if (localStorage.getItem(TOKEN_KEY) !== token) return api(path, params);
    if (!tokenDeclined) {
      const entered = prompt('This mailpulse API needs its token (API_TOKEN):');
      if (entered?.trim()) {
        localStorage.setItem(TOKEN_KEY, entered.trim());
        return api(path, params);
      }
      tokenDeclined = true;
    }
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${path}: ${body.message ?? res.statusText}`);
  return body;
}

const range = () => ({ from: state.range, to: 'now' });

function setText(id, text) {
  $(id).textContent = text;
}

function showErrors(results) {
  const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
  $('error').hidden = failed.length === 0;
  $('error').textContent = failed.length ? `Some figures could not be loaded: ${failed.join('; ')}` : '';
}

const series = (buckets, key) => buckets.map((b) => b[key] ?? 0);

async function loadDelivery() {
  const results = await Promise.allSettled([
    api('delivery', range()).then((d) => {
      setText('t-delivered', formatNumber(d.totals.delivered));
      setText('t-deferrals', formatNumber(d.totals.deferrals));
      setText('t-bounced', formatNumber(d.totals.bounced));
      setText('t-rate', formatPercent(d.totals.delivery_rate));
      const times = d.buckets.map((b) => b.time);
      stackedBars($('c-outcomes'), times, [
        { label: 'Delivered', color: COLORS[0], values: series(d.buckets, 'delivered') },
        { label: 'Deferral attempts', color: COLORS[1], values: series(d.buckets, 'deferrals') },
        { label: 'Bounced', color: COLORS[2], values: series(d.buckets, 'bounced') },
      ]);
      lines(
        $('c-rate'),
        times,
        [{ label: 'Delivery rate', color: COLORS[3], values: d.buckets.map((b) => b.delivery_rate) }],
        {
          format: formatPercent,
          max: 1,
        },
      );
    }),
    api('summary', range()).then((s) => {
      const d = s.delays ?? {};
      setText(
        't-delays',
        d.p50 === undefined || d.p50 === null ? '–' : `${formatNumber(d.p50)} s / ${formatNumber(d.p95)} s`,
      );
    }),
    api('domains', range()).then((d) =>
      table($('c-domains'), d.domains.slice(0, 15), [
        { label: 'Domain', value: (r) => r.domain },
        { label: 'Delivered', value: (r) => formatNumber(r.delivered), numeric: true },
        { label: 'Deferred', value: (r) => formatNumber(r.deferrals ?? r.deferred), numeric: true },
        { label: 'Bounced', value: (r) => formatNumber(r.bounced), numeric: true },
        {
          label: 'Bounce rate',
          value: (r) => formatPercent(rate(r.bounced, r.delivered + r.bounced)),
          numeric: true,
        },
        {
          label: 'Delay p95',
          value: (r) => (r.delay_p95 === null ? '–' : `${formatNumber(r.delay_p95)} s`),
          numeric: true,
        },
      ]),
    ),
  ]);
  showErrors(results);
}

const rate = (part, whole) => (whole > 0 ? part / whole : null);

async function loadRejections() {
  const results = await Promise.allSettled([
    api('rejections', range()).then((r) => {
      setText('t-rejected', formatNumber(r.rejected));
      setText('t-warnings', formatNumber(r.reject_warnings));
      hbars(
        $('c-categories'),
        r.categories.map((c) => ({ key: c.category, count: c.count })),
        { color: COLORS[2] },
      );
      hbars($('c-rbls'), r.rbls, { color: COLORS[4] });
      const cats = [...new Set(r.buckets.flatMap((b) => Object.keys(b.by_category)))];
      stackedBars(
        $('c-reject-trend'),
        r.buckets.map((b) => b.time),
        cats.map((c, i) => ({
          label: c,
          color: COLORS[i % COLORS.length],
          values: r.buckets.map((b) => b.by_category[c] ?? 0),
        })),
      );
    }),
    api('security', range()).then((s) => {
      setText('t-sasl', formatNumber(s.sasl_failures.total));
      setText('t-tls', formatPercent(s.tls.tls_share));
      donut($('c-postscreen'), s.postscreen.verdicts);
      donut($('c-tls'), s.tls.versions);
      table($('c-sasl'), s.sasl_failures.by_client_ip, [
        { label: 'Client IP', value: (r) => r.key },
        { label: 'Failures', value: (r) => formatNumber(r.count), numeric: true },
      ]);
    }),
  ]);
  showErrors(results);
}

async function loadQueue() {
  const results = await Promise.allSettled([
    api('queue', range()).then((q) => {
      setText('t-backlog', formatNumber(q.at_end.backlog));
      setText('t-active', formatNumber(q.at_end.active));
      setText('t-qdeferred', formatNumber(q.at_end.deferred));
      const times = q.buckets.map((b) => b.time);
      lines($('c-backlog'), times, [
        { label: 'In queue', color: COLORS[3], values: series(q.buckets, 'backlog') },
        { label: 'Deferred', color: COLORS[1], values: series(q.buckets, 'deferred') },
      ]);
    }),
    api('deferrals', range()).then((d) => {
      setText('t-qdeferrals', formatNumber(d.deferrals));
      stackedBars(
        $('c-deferrals'),
        d.buckets.map((b) => b.time),
        [{ label: 'Deferral attempts', color: COLORS[1], values: series(d.buckets, 'deferrals') }],
      );
      table($('c-deferral-reasons'), d.reasons.slice(0, 12), [
        { label: 'Category', value: (r) => r.category },
        { label: 'Reason', value: (r) => r.reason },
        { label: 'Attempts', value: (r) => formatNumber(r.count), numeric: true },
      ]);
      hbars($('c-deferral-domains'), d.domains.slice(0, 10), { color: COLORS[1] });
    }),
    // Deferred messages can be older than the range shown: look back as far as Postfix keeps them.
    api('messages', { from: 'now-30d', to: 'now', status: 'deferred', limit: '200' }).then((m) => {
      const oldest = m.messages
        .sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']))
        .slice(0, 15);
      table($('c-oldest'), oldest, messageColumns, { onRowClick: openTrace });
    }),
  ]);
  showErrors(results);
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '–');

const messageColumns = [
  { label: 'First seen', value: (m) => when(m['@timestamp']) },
  { label: 'Queue ID', value: (m) => m.email?.local_id ?? '' },
  { label: 'Host', value: (m) => m.host?.name ?? '' },
  { label: 'From', value: (m) => m.email?.from?.address ?? '' },
  { label: 'To', value: (m) => (m.recipients ?? []).map((r) => r.address).join(', ') },
  { label: 'State', value: (m) => m.state ?? '' },
  { label: 'Deferrals', value: (m) => formatNumber(m.deferrals ?? 0), numeric: true },
];

/**
 * What the search box text may be: `<...>` is a Message-ID; text with `@` is a recipient, a
 * sender or a Message-ID without brackets; anything else a queue ID. Each is asked for.
 */
function searchParams(q) {
  if (/^<.*>$/.test(q)) return [{ message_id: q }];
  if (q.includes('@')) return [{ recipient: q }, { sender: q }, { message_id: q }];
  return [{ queue_id: q }];
}

async function search(q) {
  const box = $('search-results');
  box.hidden = false;
  box.replaceChildren(
    Object.assign(document.createElement('p'), { className: 'muted', textContent: 'Searching…' }),
  );
  const seen = new Map();
  const errors = [];
  for (const p of searchParams(q)) {
    try {
      const body = await api('messages', { from: 'now-30d', to: 'now', limit: '100', ...p });
      for (const m of body.messages) seen.set(m.key, m);
    } catch (err) {
      errors.push(err.message);
    }
  }
  const rows = [...seen.values()];
  const title = Object.assign(document.createElement('h2'), {
    textContent: `${rows.length} message${rows.length === 1 ? '' : 's'} for “${q}”${errors.length ? ` (${errors.join('; ')})` : ''}`,
  });
  const holder = document.createElement('div');
  holder.id = 'search-table';
  box.replaceChildren(title, holder);
  table(holder, rows, messageColumns, { onRowClick: openTrace });
}

/** The whole lifecycle: every hop of the trace (filter re-injections, forwards), with its lines. */
async function openTrace(m) {
  $('trace-title').textContent = `Message ${m.email.local_id}`;
  $('trace-body').textContent = 'Loading…';
  $('trace').showModal();
  try {
    const t = await api(`messages/${encodeURIComponent(m.key)}`);
    const body = $('trace-body');
    body.replaceChildren();
    const summary = document.createElement('div');
    table(
      summary,
      t.hops.map((h) => h.message),
      messageColumns,
    );
    body.appendChild(summary);
    for (const hop of t.hops) {
      for (const e of hop.events) {
        const pre = document.createElement('pre');
        pre.textContent = e.event.original;
        body.appendChild(pre);
      }
    }
    if (t.truncated)
      body.appendChild(
        Object.assign(document.createElement('p'), {
          className: 'muted',
          textContent: 'Some lines are not shown (too many).',
        }),
      );
  } catch (err) {
    $('trace-body').textContent = err.message;
  }
}

async function loadAlerts() {
  const box = $('alerts');
  try {
    const { active } = await api('alerts');
    box.hidden = active.length === 0;
    box.className = 'alerts';
    box.replaceChildren(
      Object.assign(document.createElement('b'), {
        textContent: `${active.length} active alert${active.length === 1 ? '' : 's'}`,
      }),
    );
    const ul = document.createElement('ul');
    for (const a of active) {
      const li = document.createElement('li');
      li.textContent = `[${a.severity}] ${a.rule}${a.group ? ` (${a.group})` : ''}, ${a.status}: ${a.summary} (since ${when(a.since)})`;
      ul.appendChild(li);
    }
    box.appendChild(ul);
  } catch (err) {
    box.hidden = false;
    box.className = 'alerts muted-box';
    box.textContent = `Alerts unavailable: ${err.message}`;
  }
}

const LOADERS = { delivery: loadDelivery, rejections: loadRejections, queue: loadQueue };

async function refresh() {
  const mine = ++loading;
  document.body.dataset.loading = 'true';
  await Promise.all([LOADERS[state.view](), loadAlerts()]);
  if (mine !== loading) return;
  document.body.dataset.loading = 'false';
  document.body.dataset.loaded = state.view;
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

function schedule() {
  clearInterval(timer);
  if (state.refresh > 0)
    timer = setInterval(() => document.visibilityState === 'visible' && refresh(), state.refresh * 1000);
}

function show(view) {
  state.view = view;
  for (const b of document.querySelectorAll('#tabs button')) {
    if (b.dataset.view === view) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  for (const s of document.querySelectorAll('.view')) s.hidden = s.dataset.view !== view;
  writeHash();
  refresh();
}

readHash();
$('range').value = state.range;
$('refresh').value = String(state.refresh);
for (const b of document.querySelectorAll('#tabs button'))
  b.addEventListener('click', () => show(b.dataset.view));
$('range').addEventListener('change', (e) => {
  state.range = e.target.value;
  writeHash();
  refresh();
});
$('refresh').addEventListener('change', (e) => {
  state.refresh = Number(e.target.value);
  writeHash();
  schedule();
});
$('search').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = $('search-input').value.trim();
  if (q) search(q);
});
window.addEventListener('hashchange', () => {
  readHash();
  $('range').value = state.range;
  $('refresh').value = String(state.refresh);
  schedule();
  show(state.view);
});
schedule();
show(state.view);
