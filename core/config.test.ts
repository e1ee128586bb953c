import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, SETTING_NAMES } from './config.js';
import { repoPath } from './paths.js';
import { MailpulseError } from './errors.js';

function configError(env: NodeJS.ProcessEnv, file?: string): string {
  try {
    loadConfig({ env, file });
  } catch (err) {
    assert.ok(err instanceof MailpulseError);
    assert.equal(err.code, file && !env.KAFKA_BROKERS ? err.code : 'MP_ERR_CONFIG_INVALID');
    return err.message;
  }
  assert.fail('expected the config to be refused');
}

test('defaults work on one machine', () => {
  const config = loadConfig({ env: {} });
  assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092']);
  assert.equal(config.kafka.topicRaw, 'mailpulse.raw');
  assert.equal(config.kafka.topicDlq, 'mailpulse.dlq');
  assert.equal(config.elasticsearch.url, 'http://127.0.0.1:9200');
  assert.equal(config.elasticsearch.indexPrefix, 'mailpulse');
  assert.deepEqual(config.shipper.paths, ['/var/log/mail.log']);
  assert.equal(config.api.port, 8080);
  assert.equal(config.api.token, undefined);
  assert.equal(config.elasticsearch.retentionDays, 30);
  assert.ok(Object.isFrozen(config.kafka.brokers));
});

test('a bad value names the setting, the problem and the value', () => {
  const message = configError({ KAFKA_BROKERS: 'not a url' });
  assert.match(message, /^Invalid configuration: KAFKA_BROKERS: expected host:port/);
  assert.match(message, /"not a url"/);
  assert.doesNotMatch(message, /\n/);
});

const cases: [string, NodeJS.ProcessEnv, RegExp][] = [
  ['port out of range', { KAFKA_BROKERS: 'a:70000' }, /KAFKA_BROKERS: port must be at most 65535/],
  ['non-http ES URL', { ES_URL: 'ftp://x' }, /ES_URL: expected an http\(s\) URL/],
  ['uppercase index prefix', { ES_INDEX_PREFIX: 'Mail' }, /ES_INDEX_PREFIX: expected lowercase/],
  ['API port not a number', { API_PORT: 'eighty' }, /API_PORT: /],
  ['retention zero', { RETENTION_DAYS: '0' }, /RETENTION_DAYS: /],
  ['unknown zone', { TZ_DEFAULT: 'Mars/Olympus' }, /TZ_DEFAULT: expected an IANA time zone/],
  ['short token', { API_TOKEN: 'abc' }, /API_TOKEN: must be at least 16 characters$/],
  [
    'privacy without a key',
    { PRIVACY: 'hash-local-part' },
    /PRIVACY_KEY: required when PRIVACY=hash-local-part/,
  ],
  ['unknown privacy mode', { PRIVACY: 'hash' }, /PRIVACY: /],
];
for (const [name, env, expected] of cases) {
  test(`refused: ${name}`, () => assert.match(configError(env), expected));
}

test('secrets are never echoed in the message', () => {
  assert.doesNotMatch(configError({ API_TOKEN: 'abc' }), /abc/);
});

test('lists are comma-separated and trimmed; env wins over the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-config-'));
  const file = join(dir, 'mailpulse.yaml');
  writeFileSync(file, 'KAFKA_BROKERS: [k1:9092, k2:9092]\nAPI_PORT: 9000\nMAIL_LOGS: /a.log\n');
  const config = loadConfig({ env: { API_PORT: '9100', MAIL_LOGS: ' /x.log , /y/*.log ' }, file });
  assert.deepEqual(config.kafka.brokers, ['k1:9092', 'k2:9092']);
  assert.equal(config.api.port, 9100);
  assert.deepEqual(config.shipper.paths, ['/x.log', '/y/*.log']);
});

test('a config file with an unknown key is refused with its name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-config-'));
  const file = join(dir, 'mailpulse.json');
  writeFileSync(file, JSON.stringify({ KAFKA_BROKER: 'x:1' }));
  assert.throws(() => loadConfig({ env: {}, file }), /MP_ERR|unknown setting\(s\) KAFKA_BROKER/);
});

test('every setting is documented in the README configuration table', () => {
  const readme = readFileSync(repoPath('README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Architecture'));
  assert.deepEqual(
    SETTING_NAMES.filter((name) => !table.includes(`\`${name}\``)),
    [],
  );
});
