/**
 * The built-in page in a real browser: headless Debian Chromium driven by playwright-core,
 * against the real API app (`buildApp`, which registers the page) over fixture lines indexed
 * into the real Elasticsearch under a test prefix. Checks what a person would look at: the
 * figures equal the hand-counted truth, every chart drew something, the search finds the traced
 * message and its lifecycle opens. Screenshots go to test-results/ (one per view).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { esStateStore } from '../../alerts/index.js';
import { buildApp } from '../../api/index.js';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import { createLogger } from '../../core/logger.js';
import { repoPath } from '../../core/paths.js';
import { deleteTemplates, indexLines, installTemplates } from '../../indexer/index.js';
import { CHROMIUM_PATH } from '../prerequisites.js';
import {
  FIXTURE_TRUTH,
  fixtureLines,
  lateRejectLine,
  TRACE_QUEUE_ID,
  TRACE_SENDER,
} from './dashboards-fixture.js';

const skip = existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} missing (apt-get install chromium)`;
const config = loadConfig();
const prefix = `mp-test-page-${randomUUID().slice(0, 8)}`;
const client = createEsClient(config.elasticsearch);
const shots = repoPath('test-results');
let app: FastifyInstance;
let browser: Browser;
let page: Page;
let base: string;
const pageErrors: string[] = [];

before(async () => {
  if (skip) return;
  await installTemplates(client, prefix);
  await indexLines(client, prefix, fixtureLines(), { timeZone: 'UTC' });
  await writeFiringAlert();
  app = await buildApp({ es: client, prefix, logger: createLogger('silent'), pipelineMetrics: false });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await app?.close();
  await client.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' }, { ignore: [404] });
  await deleteTemplates(client, prefix);
  await client.close();
});

const ALERT_SUMMARY = 'delivery rate 75% is below 95% for example.org';

/** A firing alert as the alert engine stores it, so the page has an active alert to show. */
async function writeFiringAlert(): Promise<void> {
  const store = esStateStore(client, prefix);
  await store.ensureIndex();
  const since = new Date(Date.now() - 10 * 60_000).toISOString();
  await store.write({
    rule: 'delivery_rate_low',
    evaluatedUpTo: Date.now(),
    upsert: [
      {
        rule: 'delivery_rate_low',
        group: 'example.org',
        labels: { domain: 'example.org' },
        severity: 'critical',
        status: 'firing',
        since,
        active_at: since,
        fired_at: since,
        notified_at: null,
        value: 0.75,
        summary: ALERT_SUMMARY,
        examples: [],
        updated_at: new Date().toISOString(),
      },
    ],
    remove: [],
    history: [],
  });
}

async function openView(view: string): Promise<void> {
  await page.goto(`${base}/#view=${view}&range=now-24h&refresh=0`);
  await page.waitForSelector(`body[data-loaded="${view}"]`, { timeout: 60_000 });
}

// innerText (what is rendered, table cells tab-separated) is the point, not textContent.
// biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator, not a DOM node.
const text = (selector: string) => page.locator(selector).innerText();
const points = async (selector: string) => Number(await page.locator(selector).getAttribute('data-points'));

test('delivery view: the figures are the fixture truth and every chart is drawn', { skip }, async () => {
  await openView('delivery');
  assert.equal(await text('#error'), '', 'no endpoint failed');
  assert.equal(await text('#t-delivered'), String(FIXTURE_TRUTH.delivered));
  assert.equal(await text('#t-deferrals'), String(FIXTURE_TRUTH.deferrals));
  assert.equal(await text('#t-bounced'), String(FIXTURE_TRUTH.bounced));
  // delivered / (delivered + bounced + expired) = 3 / 4.
  assert.equal(await text('#t-rate'), '75.0%');
  assert.ok((await points('#c-outcomes')) > 0);
  assert.ok(
    (await page.locator('#c-outcomes rect.bar').count()) >= 3,
    'delivered, deferred and bounced bars',
  );
  assert.equal(await page.locator('#c-rate path.line').count(), 1);
  assert.ok((await page.locator('#c-rate circle.dot').count()) >= 2, 'a dot per bucket with a rate');
  const domains = await page.locator('#c-domains tbody tr td:first-child').allInnerTexts();
  for (const d of ['gmail.com', 'example.net', 'seznam.cz', 'example.org'])
    assert.ok(domains.includes(d), `${d} in ${domains}`);
  assert.ok(await page.locator('#alerts').isVisible());
  assert.match(await text('#alerts'), /^1 active alert/);
  assert.match(
    await text('#alerts'),
    new RegExp(`\\[critical\\] delivery_rate_low \\(example\\.org\\), firing: ${ALERT_SUMMARY}`),
  );
  await page.screenshot({ path: `${shots}/dashboards-page-delivery.png`, fullPage: true });
});

test('rejections view: categories, blocklist, postscreen verdicts and the SASL client', {
  skip,
}, async () => {
  await openView('rejections');
  assert.equal(await text('#error'), '');
  assert.equal(await text('#t-rejected'), String(FIXTURE_TRUTH.rejected));
  assert.equal(await text('#t-sasl'), String(FIXTURE_TRUTH.saslFailures));
  assert.equal(await points('#c-categories'), 3, 'rbl, unknown_user, relay_denied');
  assert.equal(await points('#c-rbls'), 1);
  assert.match(await text('#c-rbls'), /zen\.spamhaus\.org/);
  assert.ok((await page.locator('#c-postscreen path.slice').count()) >= 2);
  assert.ok((await page.locator('#c-reject-trend rect.bar').count()) >= 1);
  assert.match(await text('#c-sasl'), /203\.0\.113\.77/);
  await page.screenshot({ path: `${shots}/dashboards-page-rejections.png`, fullPage: true });
});

test('queue view: backlog drawn and the deferred message listed as the oldest', { skip }, async () => {
  await openView('queue');
  assert.equal(await text('#error'), '');
  assert.ok((await points('#c-backlog')) > 0);
  assert.ok((await points('#c-deferrals')) > 0);
  assert.match(
    await text('#c-deferral-reasons'),
    new RegExp(`Connection timed out\t${FIXTURE_TRUTH.deferrals}`),
  );
  assert.match(await text('#c-oldest tbody'), new RegExp(TRACE_QUEUE_ID));
  await page.screenshot({ path: `${shots}/dashboards-page-queue.png`, fullPage: true });
});

test('search finds the traced message by queue ID and by sender, and opens its lifecycle', {
  skip,
}, async () => {
  await openView('delivery');
  await page.fill('#search-input', TRACE_QUEUE_ID);
  await page.click('#search button');
  await page.waitForSelector('#search-table tbody tr', { timeout: 30_000 });
  const rows = await page.locator('#search-table tbody tr').allInnerTexts();
  assert.equal(rows.length, 1);
  assert.match(rows[0]!, new RegExp(TRACE_QUEUE_ID));
  assert.match(rows[0]!, new RegExp(TRACE_SENDER));

  await page.fill('#search-input', TRACE_SENDER);
  await page.click('#search button');
  await page.locator('#search-results h2', { hasText: TRACE_SENDER }).waitFor({ timeout: 30_000 });
  assert.match(await text('#search-table tbody'), new RegExp(TRACE_QUEUE_ID));

  await page.click('#search-table tbody tr');
  await page.waitForSelector('#trace-body pre', { timeout: 30_000 });
  const lines = await page.locator('#trace-body pre').allInnerTexts();
  assert.equal(lines.filter((l) => l.includes('status=deferred')).length, FIXTURE_TRUTH.deferrals);
  await page.screenshot({ path: `${shots}/dashboards-page-trace.png` });
  assert.deepEqual(pageErrors, []);
});

test('live refresh: a rejection indexed after the page loaded shows up without a reload', {
  skip,
}, async () => {
  await page.goto('about:blank');
  await page.goto(`${base}/#view=rejections&range=now-24h&refresh=15`);
  await page.waitForSelector('body[data-loaded="rejections"]', { timeout: 60_000 });
  assert.equal(await text('#t-rejected'), String(FIXTURE_TRUTH.rejected));
  // Its own stream name: ids of lines without a source derive from (stream, position).
  await indexLines(client, prefix, [lateRejectLine()], { timeZone: 'UTC', stream: 'late' });
  await page
    .locator('#t-rejected', { hasText: String(FIXTURE_TRUTH.rejected + 1) })
    .waitFor({ timeout: 60_000 });
  assert.deepEqual(pageErrors, []);
});

test('with API_TOKEN set, the page asks for the token once and then shows the figures', {
  skip,
}, async () => {
  const token = `page-test-token-${randomUUID()}`;
  const guarded = await buildApp({
    es: client,
    prefix,
    token,
    logger: createLogger('silent'),
    pipelineMetrics: false,
  });
  const url = await guarded.listen({ host: '127.0.0.1', port: 0 });
  const context = await browser.newContext();
  try {
    const p = await context.newPage();
    const prompts: string[] = [];
    p.on('dialog', (d) => {
      prompts.push(d.message());
      void d.accept(token);
    });
    await p.goto(`${url}/#view=delivery&range=now-24h&refresh=0`);
    await p.waitForSelector('body[data-loaded="delivery"]', { timeout: 60_000 });
    assert.equal(prompts.length, 1, 'one prompt for all parallel requests');
    assert.equal(await p.locator('#t-delivered').textContent(), String(FIXTURE_TRUTH.delivered));
    await p.reload();
    await p.waitForSelector('body[data-loaded="delivery"]', { timeout: 60_000 });
    assert.equal(prompts.length, 1, 'the token is kept across reloads');
  } finally {
    await context.close();
    await guarded.close();
  }
});
