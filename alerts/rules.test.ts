import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMailpulseError } from '../core/errors.js';
import { repoPath } from '../core/paths.js';
import { DurationSchema, loadRulesFile, parseRules } from './rules.js';

const yaml = (rules: string, extra = '') => `${extra}rules:\n${rules}`;

describe('durations', () => {
  const cases: Array<[unknown, number | 'error']> = [
    ['30s', 30_000],
    ['5m', 300_000],
    ['4h', 14_400_000],
    ['7d', 604_800_000],
    ['250ms', 250],
    [0, 0],
    ['0', 0],
    ['5', 'error'],
    ['5 m', 'error'],
    ['-5m', 'error'],
    ['1w', 'error'],
    [300, 'error'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected}`, () => {
      const r = DurationSchema.safeParse(input);
      if (expected === 'error') assert.equal(r.success, false);
      else assert.deepEqual(r, { success: true, data: expected });
    });
  }
});

describe('rules file: accepted', () => {
  it('the shipped default rules file is valid', () => {
    const set = loadRulesFile(repoPath('alerts', 'rules.default.yaml'));
    assert.ok(set.rules.length >= 8);
    assert.deepEqual([...new Set(set.rules.map((r) => r.kind))].sort(), [
      'absence',
      'pattern',
      'spike',
      'threshold',
    ]);
  });

  it('applies defaults from the file, then the built-in ones', () => {
    const set = parseRules(
      yaml(
        `  - name: low-delivery
    kind: threshold
    metric: delivery_rate
    op: "<"
    value: 0.9
    window: 15m
  - name: fatal
    kind: pattern
    query: { action: [fatal, panic] }
    window: 5m
    every: 30s
    notify: [webhook]
`,
        'defaults:\n  every: 2m\n  severity: critical\n',
      ),
      'rules.yaml',
    );
    const [low, fatal] = set.rules;
    assert.equal(low?.every, 120_000);
    assert.equal(low?.severity, 'critical');
    assert.equal(low?.for, 0);
    assert.equal(low?.repeat_interval, 4 * 3_600_000);
    assert.equal(low?.query_delay, 5_000);
    assert.deepEqual(low?.notify, ['slack', 'webhook']);
    assert.equal(fatal?.every, 30_000);
    assert.deepEqual(fatal?.notify, ['webhook']);
    assert.equal(fatal?.kind === 'pattern' && fatal.min_count, 1);
  });

  it('reads JSON by extension, drops disabled rules, keeps silences', () => {
    const set = parseRules(
      JSON.stringify({
        rules: [
          { name: 'a', kind: 'absence', window: '15m' },
          { name: 'b', kind: 'spike', metric: 'rejected', window: '10m', factor: 3, enabled: false },
        ],
        silences: [{ matchers: { alertname: 'a' }, ends_at: '2030-01-01T00:00:00Z' }],
      }),
      'rules.json',
    );
    assert.deepEqual(
      set.rules.map((r) => r.name),
      ['a'],
    );
    assert.equal(set.silences.length, 1);
    assert.equal(set.silences[0]?.created_by, 'rules file');
  });
});

describe('rules file: refused with the rule name and the field', () => {
  const cases: Array<{ name: string; text: string; expect: RegExp }> = [
    {
      name: 'threshold without a value',
      text: yaml(
        '  - name: low-delivery\n    kind: threshold\n    metric: delivery_rate\n    op: "<"\n    window: 15m\n',
      ),
      expect: /rule "low-delivery" \(rules\[0\]\) field value: required/,
    },
    {
      name: 'unknown metric',
      text: yaml(
        '  - name: x\n    kind: threshold\n    metric: nope\n    op: ">"\n    value: 1\n    window: 5m\n',
      ),
      expect: /rule "x" \(rules\[0\]\) field metric:/,
    },
    {
      name: 'bad duration in the second rule',
      text: yaml(
        '  - name: ok\n    kind: absence\n    window: 15m\n  - name: bad-window\n    kind: absence\n    window: 15 minutes\n',
      ),
      expect: /rule "bad-window" \(rules\[1\]\) field window: expected a duration/,
    },
    {
      name: 'unknown kind',
      text: yaml('  - name: what\n    kind: sometimes\n    window: 5m\n'),
      expect: /rule "what" \(rules\[0\]\) field kind:/,
    },
    {
      name: 'misspelt field',
      text: yaml('  - name: typo\n    kind: absence\n    window: 15m\n    for_: 5m\n'),
      expect: /rule "typo" \(rules\[0\]\) field for_: unknown field/,
    },
    {
      name: 'pattern with an empty query',
      text: yaml('  - name: empty\n    kind: pattern\n    query: {}\n    window: 5m\n'),
      expect: /rule "empty" \(rules\[0\]\) field query: give at least one/,
    },
    {
      name: 'spike factor not above 1',
      text: yaml('  - name: flat\n    kind: spike\n    metric: bounced\n    window: 5m\n    factor: 1\n'),
      expect: /rule "flat" \(rules\[0\]\) field factor:/,
    },
    {
      name: 'duplicate names',
      text: yaml(
        '  - name: twice\n    kind: absence\n    window: 5m\n  - name: twice\n    kind: absence\n    window: 9m\n',
      ),
      expect: /rule "twice" \(rules\[1\]\) field name: duplicate/,
    },
    {
      name: 'bad name',
      text: yaml('  - name: Has Spaces\n    kind: absence\n    window: 5m\n'),
      expect: /rule "Has Spaces" \(rules\[0\]\) field name:/,
    },
    { name: 'YAML syntax error', text: 'rules: [\n', expect: /Invalid alert rules in rules\.yaml: / },
    { name: 'no rules key', text: 'rulez: []\n', expect: /rules: / },
    {
      name: 'queue backlog per domain',
      text: yaml(
        '  - name: backlog\n    kind: threshold\n    metric: queue_backlog\n    group_by: domain\n    op: ">"\n    value: 10\n    window: 5m\n',
      ),
      expect: /rule "backlog" \(rules\[0\]\) field group_by: queue_backlog can only be grouped by host/,
    },
    {
      name: 'p95 delay per domain',
      text: yaml(
        '  - name: slow\n    kind: threshold\n    metric: delay_p95\n    group_by: domain\n    op: ">"\n    value: 10\n    window: 5m\n',
      ),
      expect:
        /rule "slow" \(rules\[0\]\) field group_by: deferred and delay_p95 are not available per domain/,
    },
    {
      name: 'unknown filter',
      text: yaml(
        '  - name: filt\n    kind: threshold\n    metric: bounced\n    op: ">"\n    value: 10\n    window: 5m\n    filters: { hots: mx1 }\n',
      ),
      expect: /rule "filt" \(rules\[0\]\) field filters\.hots: unknown field/,
    },
    {
      name: 'silence without an end',
      text: yaml(
        '  - name: a\n    kind: absence\n    window: 5m\n',
        'silences:\n  - matchers: { alertname: a }\n',
      ),
      expect: /silences\.0\.ends_at/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(
        () => parseRules(c.text, 'rules.yaml'),
        (err: unknown) => {
          assert.ok(isMailpulseError(err));
          assert.equal(err.code, 'MP_ERR_RULES_INVALID');
          assert.match(err.message, c.expect);
          return true;
        },
      );
    });
  }
});
