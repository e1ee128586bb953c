/**
 * Shared by the API integration tests and bench/api.bench.ts: a generated mail log with known
 * truth (fixtures/generator.ts) indexed straight into Elasticsearch through the indexer's own
 * batch code (`indexLines`, no Kafka), under a unique index prefix that `cleanup` deletes.
 */
import { randomBytes } from 'node:crypto';
import type { EsClient } from '../../core/elasticsearch.js';
import type { GeneratorOptions } from '../../fixtures/generator.js';
import { generateLog } from '../../fixtures/generator.js';
import type { Truth } from '../../fixtures/generator-truth.js';
import { deleteTemplates, indexLines, installTemplates } from '../../indexer/index.js';

export interface IndexedFixture {
  prefix: string;
  lines: string[];
  truth: Truth;
  /** `from=...&to=...` covering every line (to is exclusive, so one second past the last). */
  rangeQuery: string;
}

export function uniquePrefix(stem: string): string {
  return `mptest-${stem}-${randomBytes(4).toString('hex')}`;
}

export function generateLines(options: GeneratorOptions): { lines: string[]; truth: Truth } {
  // Split chunk by chunk: millions of lines joined into one string exceed V8's string limit.
  const lines: string[] = [];
  let rest = '';
  const truth = generateLog(options, (chunk) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) if (l.length > 0) lines.push(l);
  });
  if (rest.length > 0) lines.push(rest);
  return { lines, truth };
}

export async function indexFixture(
  es: EsClient,
  prefix: string,
  options: GeneratorOptions,
): Promise<IndexedFixture> {
  const { lines, truth } = generateLines(options);
  await installTemplates(es, prefix);
  await indexLines(es, prefix, lines, { timeZone: 'UTC' });
  const from = truth.period.from ?? new Date(0).toISOString();
  const to = new Date(Date.parse(truth.period.to ?? from) + 1000).toISOString();
  return {
    prefix,
    lines,
    truth,
    rangeQuery: `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
  };
}

export async function cleanup(es: EsClient, prefix: string): Promise<void> {
  await es.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' }, { ignore: [404] });
  await deleteTemplates(es, prefix);
}
