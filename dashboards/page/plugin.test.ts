import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { dashboardPage } from './plugin.js';

async function app() {
  const a = Fastify();
  await a.register(dashboardPage);
  return a;
}

test('/ answers the page with a same-origin content security policy', async () => {
  const a = await app();
  const res = await a.inject('/');
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, /<script type="module" src="\/assets\/app.js">/);
  assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
  await a.close();
});

test('assets referenced by the page are served with their types; anything else is 404', async () => {
  const a = await app();
  const page = (await a.inject('/')).body;
  const referenced = [...page.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1]!);
  assert.deepEqual(referenced.sort(), ['app.js', 'style.css']);
  const js = await a.inject('/assets/app.js');
  assert.equal(js.statusCode, 200);
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  assert.match(js.body, /from '\.\/charts\.js'/);
  assert.equal((await a.inject('/assets/charts.js')).statusCode, 200);
  assert.match(String((await a.inject('/assets/style.css')).headers['content-type']), /^text\/css/);
  for (const path of [
    '/assets/nope.js',
    '/assets/index.html',
    '/assets/..%2Fplugin.ts',
    '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
  ]) {
    assert.equal((await a.inject(path)).statusCode, 404, path);
  }
  await a.close();
});
