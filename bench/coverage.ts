/**
 * Parser coverage on a real log: the share of Postfix lines that get a specific
 * `event.action` (anything but `unparsed`), the action counts, and every remaining unparsed
 * line shape (variable parts masked) with a count and one example.
 *
 *   node dist/bench/coverage.js [CORPUS] [--tz ZONE] [--examples N]
 *
 * A Postfix line is one whose program tag the parser recognizes as Postfix, or a line with
 * no readable syslog header that mentions `postfix/` (it may be one, so it counts against us).
 */
import { writeResult } from './results.js';
import { parseArgs } from 'node:util';
import { createParseContext, parseLine } from '../parser/index.js';
import { readCorpus } from './corpus.js';

/** Masks what varies between lines of one shape: IDs, addresses, numbers. */
function shapeOf(line: string): string {
  const afterHeader = line
    .replace(/^\S+ \S+ /, '')
    .replace(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ /, '');
  return afterHeader
    .replace(/\[\d+\]:/, ':')
    .replace(/<[^<>]*>/g, '<…>')
    .replace(/\[[0-9a-fA-F.:]+\](?::\d+)?/g, '[IP]')
    .replace(/\b[0-9A-Za-z]{10,}\b/g, 'ID')
    .replace(/\d+/g, 'N')
    .slice(0, 160);
}

// `| head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));

const { values, positionals } = parseArgs({
  options: { tz: { type: 'string', default: 'UTC' }, examples: { type: 'string', default: '1' } },
  allowPositionals: true,
});
const lines = readCorpus(positionals[0]);
const ctx = createParseContext({ timeZone: values.tz });
const actions = new Map<string, number>();
const unparsedShapes = new Map<string, { count: number; example: string }>();
let postfix = 0;
let specific = 0;
for (const line of lines) {
  const event = parseLine(line, ctx);
  const action = event.event.action;
  actions.set(action, (actions.get(action) ?? 0) + 1);
  const isPostfix =
    event.postfix?.instance !== undefined || (event.process.name === '' && line.includes('postfix/'));
  if (!isPostfix) continue;
  postfix++;
  if (action !== 'unparsed') {
    specific++;
    continue;
  }
  const shape = `${event.event.reason ?? ''} | ${shapeOf(line)}`;
  const entry = unparsedShapes.get(shape);
  if (entry) entry.count++;
  else unparsedShapes.set(shape, { count: 1, example: line });
}

const pct = postfix === 0 ? 100 : (100 * specific) / postfix;
process.stdout.write(
  `lines: ${lines.length}, Postfix lines: ${postfix}, with a specific action: ${specific}\n`,
);
process.stdout.write(`coverage: ${pct.toFixed(3)} % (${postfix - specific} unparsed)\n\nactions:\n`);
writeResult('coverage', {
  bench: 'coverage',
  date: new Date().toISOString(),
  lines: lines.length,
  postfix_lines: postfix,
  specific,
  coverage_percent: pct,
  unparsed_shapes: unparsedShapes.size,
});
for (const [action, count] of [...actions].sort((a, b) => b[1] - a[1]))
  process.stdout.write(`  ${String(count).padStart(8)}  ${action}\n`);
process.stdout.write(`\nunparsed shapes: ${unparsedShapes.size}\n`);
const examples = Number(values.examples) || 0;
for (const [shape, { count, example }] of [...unparsedShapes].sort((a, b) => b[1].count - a[1].count)) {
  process.stdout.write(`  ${String(count).padStart(8)}  ${shape}\n`);
  if (examples > 0) process.stdout.write(`            e.g. ${example.slice(0, 300)}\n`);
}
