// Hand-written SVG charts: small, dependency-free, readable in a browser's inspector.
// Every chart root carries data-points (the number of drawn values) so tests and people can
// tell an empty chart from a failed one.

const NS = 'http://www.w3.org/2000/svg';
export const COLORS = [
  '#54B399',
  '#D6BF57',
  '#E7664C',
  '#6092C0',
  '#9170B8',
  '#CA8EAE',
  '#D36086',
  '#AA6556',
  '#B9A888',
  '#7B7B7B',
];

function el(name, attrs = {}, parent) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

/** Drawn at the card's own width, so text keeps its size in narrow and wide cards alike. */
function widthOf(container, fallback) {
  return Math.max(280, Math.round(container.clientWidth) || fallback);
}

function svgRoot(container, width, height, points) {
  container.replaceChildren();
  container.dataset.points = String(points);
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
  container.appendChild(svg);
  if (points === 0) {
    const t = el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'empty' }, svg);
    t.textContent = 'No data in this range';
  }
  return svg;
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function formatNumber(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

export function formatPercent(v) {
  return v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`;
}

function timeLabel(iso, spanMs) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return spanMs > 2 * 86400000 ? `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}` : hm;
}

function legend(container, series) {
  const box = document.createElement('div');
  box.className = 'legend';
  series.forEach((s, i) => {
    const item = document.createElement('span');
    const sw = document.createElement('i');
    sw.style.background = s.color ?? COLORS[i % COLORS.length];
    item.append(sw, document.createTextNode(s.label));
    box.appendChild(item);
  });
  container.appendChild(box);
}

function axes(svg, { width, height, pad, max, times, format }) {
  const plotH = height - pad.top - pad.bottom;
  for (let i = 0; i <= 4; i++) {
    const y = pad.top + plotH - (plotH * i) / 4;
    el('line', { x1: pad.left, x2: width - pad.right, y1: y, y2: y, class: 'grid' }, svg);
    const t = el('text', { x: pad.left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' }, svg);
    t.textContent = format((max * i) / 4);
  }
  if (times.length === 0) return;
  const span = Date.parse(times[times.length - 1]) - Date.parse(times[0]);
  const step = Math.max(1, Math.ceil(times.length / 6));
  const plotW = width - pad.left - pad.right;
  for (let i = 0; i < times.length; i += step) {
    const x = pad.left + (plotW * (i + 0.5)) / times.length;
    const t = el('text', { x, y: height - 6, 'text-anchor': 'middle', class: 'tick' }, svg);
    t.textContent = timeLabel(times[i], span);
  }
}

/** Stacked bars over time. series: [{label, color, values: number[]}], times: ISO strings. */
export function stackedBars(container, times, series, { format = formatNumber } = {}) {
  const width = widthOf(container, 640);
  const height = 220;
  const pad = { top: 10, right: 10, bottom: 24, left: 48 };
  const totals = times.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const points = totals.filter((v) => v > 0).length;
  const svg = svgRoot(container, width, height, points);
  const max = niceMax(Math.max(0, ...totals));
  axes(svg, { width, height, pad, max, times, format });
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const bw = plotW / Math.max(1, times.length);
  times.forEach((time, i) => {
    let y = pad.top + plotH;
    series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      if (v <= 0) return;
      const h = (v / max) * plotH;
      y -= h;
      const r = el(
        'rect',
        {
          x: pad.left + i * bw + bw * 0.1,
          y,
          width: Math.max(1, bw * 0.8),
          height: h,
          fill: s.color ?? COLORS[k % COLORS.length],
          class: 'bar',
        },
        svg,
      );
      el('title', {}, r).textContent = `${new Date(time).toLocaleString()} ${s.label}: ${format(v)}`;
    });
  });
  legend(container, series);
}

/** Lines over time; null values break the line. */
export function lines(container, times, series, { format = formatNumber, max: fixedMax } = {}) {
  const width = widthOf(container, 640);
  const height = 220;
  const pad = { top: 10, right: 10, bottom: 24, left: 48 };
  const all = series.flatMap((s) => s.values.filter((v) => v !== null && v !== undefined));
  const svg = svgRoot(container, width, height, all.length);
  const max = fixedMax ?? niceMax(Math.max(0, ...all));
  axes(svg, { width, height, pad, max, times, format });
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  series.forEach((s, k) => {
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) {
        pen = false;
        return;
      }
      const x = pad.left + (plotW * (i + 0.5)) / times.length;
      const y = pad.top + plotH - (Math.min(v, max) / max) * plotH;
      d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `;
      pen = true;
      // A value between two empty buckets has no line to show it: draw it as a dot.
      const gap = (j) => s.values[j] === null || s.values[j] === undefined;
      if (gap(i - 1) && gap(i + 1)) {
        const dot = el(
          'circle',
          { cx: x, cy: y, r: 3, fill: s.color ?? COLORS[k % COLORS.length], class: 'dot' },
          svg,
        );
        el('title', {}, dot).textContent = `${new Date(times[i]).toLocaleString()} ${s.label}: ${format(v)}`;
      }
    });
    if (d)
      el(
        'path',
        { d, fill: 'none', stroke: s.color ?? COLORS[k % COLORS.length], 'stroke-width': 2, class: 'line' },
        svg,
      );
  });
  legend(container, series);
}

/** Horizontal bars for a top-N list: rows [{key, count}]. */
export function hbars(container, rows, { color = COLORS[3], format = formatNumber } = {}) {
  const width = widthOf(container, 640);
  const rowH = 22;
  const labelW = Math.min(220, Math.round(width * 0.4));
  const height = Math.max(60, rows.length * rowH + 10);
  const svg = svgRoot(container, width, height, rows.length);
  const max = Math.max(1, ...rows.map((r) => r.count));
  rows.forEach((r, i) => {
    const y = 5 + i * rowH;
    const t = el('text', { x: labelW - 8, y: y + 15, 'text-anchor': 'end', class: 'tick' }, svg);
    t.textContent = r.key.length > 34 ? `${r.key.slice(0, 33)}…` : r.key;
    const w = ((width - labelW - 60) * r.count) / max;
    const bar = el(
      'rect',
      { x: labelW, y: y + 3, width: Math.max(1, w), height: rowH - 6, fill: color, class: 'bar' },
      svg,
    );
    el('title', {}, bar).textContent = `${r.key}: ${format(r.count)}`;
    const v = el('text', { x: labelW + w + 6, y: y + 15, class: 'tick' }, svg);
    v.textContent = format(r.count);
  });
}

/** Donut of shares: rows [{key, count}]. */
export function donut(container, rows) {
  const width = 320;
  const height = 200;
  const total = rows.reduce((s, r) => s + r.count, 0);
  const svg = svgRoot(container, width, height, total > 0 ? rows.length : 0);
  if (total === 0) return;
  const cx = 100;
  const cy = 100;
  const r = 80;
  const inner = 48;
  let a = -Math.PI / 2;
  rows.forEach((row, i) => {
    const frac = row.count / total;
    const b = a + frac * 2 * Math.PI;
    const large = b - a > Math.PI ? 1 : 0;
    const p = (ang, rad) =>
      `${(cx + rad * Math.cos(ang)).toFixed(2)},${(cy + rad * Math.sin(ang)).toFixed(2)}`;
    const d =
      frac >= 0.9999
        ? `M${p(0, r)} A${r},${r} 0 1 1 ${p(Math.PI, r)} A${r},${r} 0 1 1 ${p(0, r)} M${p(0, inner)} A${inner},${inner} 0 1 0 ${p(Math.PI, inner)} A${inner},${inner} 0 1 0 ${p(0, inner)} Z`
        : `M${p(a, r)} A${r},${r} 0 ${large} 1 ${p(b, r)} L${p(b, inner)} A${inner},${inner} 0 ${large} 0 ${p(a, inner)} Z`;
    const slice = el(
      'path',
      { d, fill: COLORS[i % COLORS.length], class: 'slice', 'fill-rule': 'evenodd' },
      svg,
    );
    el('title', {}, slice).textContent = `${row.key}: ${row.count} (${formatPercent(frac)})`;
    a = b;
  });
  rows.slice(0, 8).forEach((row, i) => {
    const y = 20 + i * 20;
    el('rect', { x: 200, y: y - 10, width: 12, height: 12, fill: COLORS[i % COLORS.length] }, svg);
    const t = el('text', { x: 218, y, class: 'tick' }, svg);
    t.textContent = `${row.key.length > 14 ? `${row.key.slice(0, 13)}…` : row.key} ${formatPercent(row.count / total)}`;
  });
}

/** A plain table: columns [{label, value: (row) => string, numeric?}]. */
export function table(container, rows, columns, { onRowClick } = {}) {
  container.replaceChildren();
  container.dataset.points = String(rows.length);
  if (rows.length === 0) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = 'No data in this range';
    container.appendChild(p);
    return;
  }
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement('th');
    th.textContent = c.label;
    if (c.numeric) th.className = 'num';
    head.appendChild(th);
  }
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    if (onRowClick) {
      tr.className = 'clickable';
      tr.addEventListener('click', () => onRowClick(row));
    }
    for (const c of columns) {
      const td = tr.insertCell();
      td.textContent = c.value(row);
      if (c.numeric) td.className = 'num';
    }
  }
  container.appendChild(t);
}
