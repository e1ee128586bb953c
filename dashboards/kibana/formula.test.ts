import assert from 'node:assert/strict';
import { test } from 'node:test';
import { add, count, cumulativeSum, div, formulaColumns, formulaText, sub } from './formula.js';

test('formula text reads like what a person types in Lens', () => {
  const cases: [Parameters<typeof formulaText>[0], string][] = [
    [count(), 'count()'],
    [count('a : "b"'), `count(kql='a : "b"')`],
    [div(count('x'), add(count('x'), count('y'))), `count(kql='x') / (count(kql='x') + count(kql='y'))`],
    [
      sub(cumulativeSum(count('q')), cumulativeSum(count('r'))),
      `cumulative_sum(count(kql='q')) - cumulative_sum(count(kql='r'))`,
    ],
    [
      { agg: 'percentile', field: 'postfix.delay', percentile: 95 },
      'percentile(postfix.delay, percentile=95)',
    ],
    [count("it's"), `count(kql='it\\'s')`],
  ];
  for (const [expr, text] of cases) assert.equal(formulaText(expr), text);
});

test('a ratio compiles to hidden count columns and one math column, numbered as Lens numbers them', () => {
  const cols = formulaColumns('rate', 'Rate', div(count('s'), add(count('s'), count('b'))));
  assert.deepEqual(
    cols.map(([id, c]) => [id, c.operationType, c.filter?.query ?? null]),
    [
      ['rate', 'formula', null],
      ['rateX0', 'count', 's'],
      ['rateX1', 'count', 's'],
      ['rateX2', 'count', 'b'],
      ['rateX3', 'math', null],
    ],
  );
  const [formula, math] = [cols[0]![1], cols[4]![1]];
  assert.deepEqual(formula.references, ['rateX3']);
  assert.deepEqual(math.references, ['rateX0', 'rateX1', 'rateX2']);
  const ast = math.params?.tinymathAst as { name: string; args: unknown[] };
  assert.equal(ast.name, 'divide');
  assert.equal(ast.args[0], 'rateX0');
  assert.deepEqual((ast.args[1] as { name: string; args: unknown[] }).args, ['rateX1', 'rateX2']);
});

test('cumulative sums reference their inner count; the math column references only the sums', () => {
  const cols = formulaColumns('b', 'Backlog', sub(cumulativeSum(count('q')), cumulativeSum(count('r'))));
  const byId = Object.fromEntries(cols);
  assert.equal(byId.bX1?.operationType, 'cumulative_sum');
  assert.deepEqual(byId.bX1?.references, ['bX0']);
  assert.deepEqual(byId.bX3?.references, ['bX2']);
  assert.deepEqual(byId.bX4?.references, ['bX1', 'bX3']);
});
