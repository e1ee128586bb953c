/**
 * Lens formulas written as small expression trees. A formula column is stored by Kibana as the
 * formula text plus the hidden columns it compiles to (`<id>X0`, `<id>X1`, ... and a `math`
 * column holding the tinymath AST), and Lens renders from those hidden columns, not from the
 * text: so both are generated here from one tree, in the order Lens itself numbers them.
 */
import type { LensColumn } from './lens-schema.js';
import { RECORDS_FIELD } from './lens-schema.js';

export type Aggregation =
  | { agg: 'count'; kql?: string }
  | { agg: 'percentile'; field: string; percentile: number; kql?: string }
  | { agg: 'unique_count'; field: string; kql?: string };

export type Expr =
  | number
  | Aggregation
  | { fn: 'add' | 'subtract' | 'multiply' | 'divide'; args: Expr[] }
  | { fn: 'cumulative_sum'; of: Aggregation };

const OPERATORS = { add: '+', subtract: '-', multiply: '*', divide: '/' } as const;

export const count = (kql?: string): Aggregation =>
  kql === undefined ? { agg: 'count' } : { agg: 'count', kql };
export const div = (a: Expr, b: Expr): Expr => ({ fn: 'divide', args: [a, b] });
export const add = (...args: Expr[]): Expr => ({ fn: 'add', args });
export const sub = (a: Expr, b: Expr): Expr => ({ fn: 'subtract', args: [a, b] });
export const cumulativeSum = (of: Aggregation): Expr => ({ fn: 'cumulative_sum', of });

function quoteKql(kql: string): string {
  return `'${kql.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function aggregationText(a: Aggregation): string {
  const kql = a.kql === undefined ? [] : [`kql=${quoteKql(a.kql)}`];
  switch (a.agg) {
    case 'count':
      return `count(${kql.join(', ')})`;
    case 'percentile':
      return `percentile(${[a.field, `percentile=${a.percentile}`, ...kql].join(', ')})`;
    case 'unique_count':
      return `unique_count(${[a.field, ...kql].join(', ')})`;
  }
}

function isAggregation(e: Expr): e is Aggregation {
  return typeof e === 'object' && 'agg' in e;
}

/** The formula as a person types it in Lens. */
export function formulaText(e: Expr, top = true): string {
  if (typeof e === 'number') return String(e);
  if (isAggregation(e)) return aggregationText(e);
  if (e.fn === 'cumulative_sum') return `cumulative_sum(${aggregationText(e.of)})`;
  const inner = e.args.map((a) => formulaText(a, false)).join(` ${OPERATORS[e.fn]} `);
  return top ? inner : `(${inner})`;
}

type TinymathNode =
  | string
  | number
  | {
      type: 'function';
      name: string;
      args: TinymathNode[];
      location: { min: number; max: number };
      text: string;
    };

function leafColumn(a: Aggregation, label: string): LensColumn {
  const filter = a.kql === undefined ? {} : { filter: { query: a.kql, language: 'kuery' as const } };
  const base = {
    label,
    customLabel: true,
    dataType: 'number' as const,
    isBucketed: false,
    scale: 'ratio' as const,
    ...filter,
  };
  switch (a.agg) {
    case 'count':
      return { ...base, operationType: 'count', sourceField: RECORDS_FIELD, params: { emptyAsNull: false } };
    case 'percentile':
      return {
        ...base,
        operationType: 'percentile',
        sourceField: a.field,
        params: { percentile: a.percentile },
      };
    case 'unique_count':
      return { ...base, operationType: 'unique_count', sourceField: a.field, params: { emptyAsNull: false } };
  }
}

/**
 * The formula column `id` and its hidden columns. Returned in `columnOrder` order: the formula
 * first, then `X0`, `X1`, ... with the math column last.
 */
export function formulaColumns(
  id: string,
  label: string,
  e: Expr,
  format?: { id: 'percent' | 'number'; params: { decimals: number } },
): [string, LensColumn][] {
  const hidden: [string, LensColumn][] = [];
  const part = `Part of ${label}`;
  const next = () => `${id}X${hidden.length}`;
  const push = (column: LensColumn): string => {
    const colId = next();
    hidden.push([colId, column]);
    return colId;
  };
  const direct = new Set<string>();
  const walk = (node: Expr): TinymathNode => {
    if (typeof node === 'number') return node;
    if (isAggregation(node)) return push(leafColumn(node, part));
    if (node.fn === 'cumulative_sum') {
      const inner = push(leafColumn(node.of, part));
      return push({
        label: part,
        customLabel: true,
        dataType: 'number',
        operationType: 'cumulative_sum',
        isBucketed: false,
        scale: 'ratio',
        references: [inner],
      });
    }
    const text = formulaText(node);
    return {
      type: 'function',
      name: node.fn,
      args: node.args.map(walk),
      location: { min: 0, max: text.length },
      text,
    };
  };
  const ast = walk(e);
  const collect = (n: TinymathNode) => {
    if (typeof n === 'string') direct.add(n);
    else if (typeof n === 'object') n.args.forEach(collect);
  };
  collect(ast);
  const mathId = push({
    label: part,
    customLabel: true,
    dataType: 'number',
    operationType: 'math',
    isBucketed: false,
    scale: 'ratio',
    references: [...direct],
    params: { tinymathAst: ast },
  });
  const formula: LensColumn = {
    label,
    customLabel: true,
    dataType: 'number',
    operationType: 'formula',
    isBucketed: false,
    scale: 'ratio',
    references: [mathId],
    params: { formula: formulaText(e), isFormulaBroken: false, ...(format ? { format } : {}) },
  };
  return [[id, formula], ...hidden];
}
