/**
 * Progress of a backfill: pure arithmetic and formatting, so the bar is table-tested and the
 * command only decides where to print it (a redrawn bar on a terminal, plain lines otherwise).
 */

export interface Progress {
  bytesDone: number;
  bytesTotal: number;
  lines: number;
  startedAt: number;
  now: number;
}

export interface Rates {
  percent: number;
  linesPerSecond: number;
  bytesPerSecond: number;
  /** Seconds left at the current rate; undefined before there is a rate. */
  etaSeconds: number | undefined;
}

export function rates(p: Progress): Rates {
  const seconds = Math.max(0.001, (p.now - p.startedAt) / 1000);
  const bytesPerSecond = p.bytesDone / seconds;
  const left = Math.max(0, p.bytesTotal - p.bytesDone);
  return {
    percent: p.bytesTotal > 0 ? Math.min(100, (100 * p.bytesDone) / p.bytesTotal) : 0,
    linesPerSecond: p.lines / seconds,
    bytesPerSecond,
    etaSeconds: bytesPerSecond > 0 ? left / bytesPerSecond : undefined,
  };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** `[########------------]  40.0%  12.0 MB / 30.0 MB  52,000 lines/s  ETA 00:03` */
export function formatBar(p: Progress, width = 24): string {
  const r = rates(p);
  const filled = Math.round((r.percent / 100) * width);
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${r.percent.toFixed(1).padStart(5)}%  ` +
    `${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}  ` +
    `${Math.round(r.linesPerSecond).toLocaleString('en-US')} lines/s  ETA ${formatDuration(r.etaSeconds)}`
  );
}

/** One self-contained line for logs and pipes. */
export function formatLine(p: Progress, file: string): string {
  const r = rates(p);
  return (
    `import ${file}: ${r.percent.toFixed(1)}% ${p.lines} lines, ${formatBytes(p.bytesDone)} of ` +
    `${formatBytes(p.bytesTotal)}, ${Math.round(r.linesPerSecond)} lines/s, ETA ${formatDuration(r.etaSeconds)}`
  );
}
