/**
 * `npm test`: unit tests, then integration tests against the real local stack.
 *
 * When nothing answers on the configured Kafka / Elasticsearch addresses, the stack is started
 * first and exactly what this run started is stopped at the end (also on Ctrl-C). Unit test
 * files run in parallel; integration files one at a time, because they share one broker and one
 * node on a small machine. The last line is the plain `total: N passed, N failed` summary.
 *
 *   node dist/test/run.js [--unit | --integration] [NAME...]   NAME filters files by substring
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.js';
import { createEsClient, esDescribe } from '../core/elasticsearch.js';
import { describeError } from '../core/errors.js';
import { createKafka } from '../core/kafka.js';
import { stackDown, stackUp } from '../stack/index.js';
import { ensurePrerequisites } from './prerequisites.js';

const distRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const integrationDir = join(distRoot, 'test', 'integration');

function testFiles(dir: string, skip: string | undefined): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== skip && entry.name !== 'node_modules') out.push(...testFiles(path, skip));
    } else if (entry.name.endsWith('.test.js')) {
      out.push(path);
    }
  }
  return out.sort();
}

interface Counts {
  passed: number;
  failed: number;
}

function runNodeTest(files: string[], concurrency: number, label: string): Promise<Counts> {
  if (files.length === 0) return Promise.resolve({ passed: 0, failed: 0 });
  const tap = join(tmpdir(), `mailpulse-${label}-${process.pid}.tap`);
  const args = [
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=900000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ];
  process.stdout.write(`\n== ${label}: ${files.length} file(s) ==\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, MAILPULSE_TEST: '1' } });
    child.on('exit', (code) => {
      let text = '';
      try {
        text = readFileSync(tap, 'utf8');
        rmSync(tap, { force: true });
      } catch {
        // No report written: count the whole run as one failure below.
      }
      const passed = Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
      const failed = Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(text)?.[1] ?? 0);
      resolve({ passed, failed: code !== 0 && failed === 0 ? 1 : failed });
    });
  });
}

/** Says which servers the integration tests talk to, so the log proves they are real. */
async function describeStack(config: ReturnType<typeof loadConfig>): Promise<string> {
  const brokers = await createKafka(config.kafka).ping(10_000);
  const es = createEsClient(config.elasticsearch);
  try {
    const info = await esDescribe(es);
    return (
      `Kafka ${config.kafka.brokers.join(',')} (broker ids ${brokers.join(',')}), ` +
      `Elasticsearch ${config.elasticsearch.url} (${info.version}, cluster ${info.cluster})`
    );
  } finally {
    await es.close();
  }
}

async function reachable(config: ReturnType<typeof loadConfig>): Promise<boolean> {
  try {
    await describeStack(config);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { unit: { type: 'boolean' }, integration: { type: 'boolean' } },
    allowPositionals: true,
  });
  const both = !values.unit && !values.integration;
  // Names match the path below the build folder, so `dashboards` does not match `dist-dashboards/`.
  const matches = (f: string) => positionals.length === 0 || positionals.some((p) => relative(distRoot, f).includes(p));
  const unit = values.unit || both ? testFiles(distRoot, integrationDir).filter(matches) : [];
  const integration = values.integration || both ? testFiles(integrationDir, undefined).filter(matches) : [];
  mkdirSync(join(distRoot, '..', 'test-results'), { recursive: true });

  const total: Counts = { passed: 0, failed: 0 };
  const add = (c: Counts) => {
    total.passed += c.passed;
    total.failed += c.failed;
  };
  add(await runNodeTest(unit, Math.max(1, availableParallelism()), 'unit tests'));

  let started: string[] = [];
  const config = loadConfig();
  const stop = async () => {
    if (started.length === 0) return;
    const names = started;
    started = [];
    process.stdout.write(`Stopping the stack services this run started: ${names.join(', ')}\n`);
    await stackDown(config, names);
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(143)));

  if (integration.length > 0) {
    try {
      await ensurePrerequisites((line) => process.stdout.write(`${line}\n`));
      if (!(await reachable(config))) {
        process.stdout.write('Kafka or Elasticsearch not answering: starting the local stack.\n');
        started = await stackUp(config, (line) => process.stdout.write(`  ${line}\n`));
      }
      process.stdout.write(`Integration tests run against ${await describeStack(config)}\n`);
      add(await runNodeTest(integration, 1, 'integration tests'));
    } catch (err) {
      process.stdout.write(`Integration tests could not run: ${describeError(err)}\n`);
      total.failed += 1;
    } finally {
      await stop();
    }
  }
  process.stdout.write(
    `\nfiles: ${unit.length} unit, ${integration.length} integration (${relative(process.cwd(), distRoot) || '.'})\n`,
  );
  process.stdout.write(`total: ${total.passed} passed, ${total.failed} failed\n`);
  return total.failed === 0 && total.passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`test runner failed: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
