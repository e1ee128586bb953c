/**
 * Splitting the work of `report` across two threads without changing a single count: lines
 * that cannot carry a queue ID (connects, postscreen, dnsblog, TLS, NOQUEUE rejects, other
 * programs) need no correlation, so another thread can parse and count them. The test is
 * conservative: anything unsure stays with the correlating thread, where it is parsed exactly
 * as before:
 * - a timestamp that needs the lines before it to be read (no year: classic syslog, whose year
 *   is inferred from the sequence; no zone: the repeated DST hour is resolved from the previous
 *   line), so only RFC 3339 with `Z` or an offset may go;
 * - no `prog[pid]: ` tag, or a first word that could be a queue ID (`ABC123:`, `warning:`).
 */

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(line: string, i: number): boolean {
  const c = line.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** `YYYY-MM-DDThh:mm:ss[.frac]` followed by `Z` or `±hh:mm` / `±hhmm`, then a space. */
function selfContainedTimestamp(line: string): boolean {
  if (
    !(
      isDigit(line, 0) &&
      isDigit(line, 3) &&
      line.charCodeAt(4) === 45 &&
      line.charCodeAt(7) === 45 &&
      line.charCodeAt(10) === 84
    )
  ) {
    return false;
  }
  const end = line.indexOf(' ', 19);
  if (end < 0) return false;
  if (line.charCodeAt(end - 1) === 90) return true;
  const sign = line.charCodeAt(line.charCodeAt(end - 3) === 58 ? end - 6 : end - 5);
  return sign === 43 || sign === 45;
}

/** False only when the line surely needs neither the correlator nor the lines before it. */
export function needsMainThread(line: string): boolean {
  if (!selfContainedTimestamp(line)) return true;
  const tagEnd = line.indexOf(']: ');
  if (tagEnd < 0) return true;
  const open = line.lastIndexOf('[', tagEnd);
  const space = line.lastIndexOf(' ', tagEnd);
  // The bracket must be the tag's `[pid]`, not an address inside a message with no pid tag.
  if (open < 0 || open < space || open + 1 === tagEnd) return true;
  for (let k = open + 1; k < tagEnd; k++) {
    if (!isDigit(line, k)) return true;
  }
  const start = tagEnd + 3;
  let j = start;
  while (j < line.length && isAlnum(line.charCodeAt(j))) j++;
  if (line.charCodeAt(j) !== 58) return false;
  if (j - start === 7 && line.startsWith('NOQUEUE', start)) return false;
  return j - start >= 5;
}

/**
 * One batch shared between the threads. `linesRead` counts the input's lines up to the end of
 * this batch: until it passes `parallelAfter` every line stays with the correlating thread
 * (`main`); past it, only the lines that need it do, in order, and the others are `noise`.
 */
export function splitBatch(
  batch: string[],
  linesRead: number,
  parallelAfter: number,
): { main: string[]; noise: string[] } {
  if (linesRead <= parallelAfter) return { main: batch, noise: [] };
  const main: string[] = [];
  const noise: string[] = [];
  for (const line of batch) (needsMainThread(line) ? main : noise).push(line);
  return { main, noise };
}
