/**
 * The rules file: YAML or JSON, one zod schema. Loading is all-or-nothing: a file with one bad
 * rule is refused as a whole, and the message names the rule and the field, so a reload never
 * leaves the engine half on the old rules and half on the new ones.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FiltersSchema as ApiFiltersSchema } from '../api/metrics/filters.js';
import { MailpulseError } from '../core/errors.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30s`, `5m`, `4h`, `7d` (or `0`) → milliseconds. */
export const DurationSchema = z.union([z.string(), z.literal(0)]).transform((value, ctx) => {
  if (value === 0 || value === '0') return 0;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!m) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration like 30s, 5m, 4h or 7d (got ${JSON.stringify(value)})`,
    });
    return z.NEVER;
  }
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
});

/** Metrics a threshold or spike rule can watch: the names of the shared metrics module. */
export const METRIC_NAMES = [
  'delivery_rate',
  'bounce_rate',
  'delivered',
  'bounced',
  'deferred',
  'deferrals',
  'expired',
  'rejected',
  'received',
  'queue_backlog',
  'delay_p95',
  'sasl_failures',
] as const;
export const MetricNameSchema = z.enum(METRIC_NAMES);
export type MetricName = z.infer<typeof MetricNameSchema>;

/** Figures that cannot be summed over a domain's recipient addresses (see metric-source.ts). */
const NOT_PER_DOMAIN: readonly MetricName[] = ['deferred', 'delay_p95'];

export const GROUP_FIELDS = ['domain', 'relay', 'sender', 'host'] as const;
export const GroupFieldSchema = z.enum(GROUP_FIELDS);
export type GroupField = z.infer<typeof GroupFieldSchema>;

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

export const CHANNELS = ['slack', 'webhook'] as const;
export const ChannelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof ChannelSchema>;

/** The API's filters (contract §4), the API's schema: a rule watches what the API can show. */
export const FiltersSchema = ApiFiltersSchema.strict();
export type Filters = z.infer<typeof FiltersSchema>;

const ruleName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'expected lowercase letters, digits, . _ - (at most 100)');

/** Settings every kind shares; `defaults:` in the file fills what a rule leaves out. */
const common = {
  name: ruleName,
  description: z.string().optional(),
  severity: SeveritySchema.optional(),
  /** How often the rule is evaluated. */
  every: DurationSchema.optional(),
  /** The condition must hold this long before the alert fires. */
  for: DurationSchema.optional(),
  /** Reminder interval while an alert keeps firing. */
  repeat_interval: DurationSchema.optional(),
  /** Data younger than this is not evaluated yet (late lines from shippers and the indexer). */
  query_delay: DurationSchema.optional(),
  notify: z.array(ChannelSchema).optional(),
  /** Extra labels on every alert of the rule (routing keys for Alertmanager-style receivers). */
  labels: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'label names are letters, digits and _'), z.string())
    .optional(),
  enabled: z.boolean().default(true),
};

const comparison = z.enum(['>', '>=', '<', '<=']);

export const ThresholdRuleSchema = z
  .object({
    ...common,
    kind: z.literal('threshold'),
    metric: MetricNameSchema,
    op: comparison,
    value: z.number(),
    window: DurationSchema,
    group_by: GroupFieldSchema.optional(),
    filters: FiltersSchema.optional(),
    /** Ignore a group whose volume (the metric's denominator or count) is below this: 2 bounces out of 3 is not a 66 % bounce rate worth a page. */
    min_volume: z.number().nonnegative().default(0),
  })
  .strict()
  .refine((r) => r.metric !== 'queue_backlog' || r.group_by === undefined || r.group_by === 'host', {
    message: 'queue_backlog can only be grouped by host',
    path: ['group_by'],
  })
  .refine((r) => r.group_by !== 'domain' || !NOT_PER_DOMAIN.includes(r.metric), {
    message: 'deferred and delay_p95 are not available per domain (use deferrals, or no group_by)',
    path: ['group_by'],
  });

export const SpikeRuleSchema = z
  .object({
    ...common,
    kind: z.literal('spike'),
    metric: z.enum(['rejected', 'bounced', 'deferrals', 'expired', 'sasl_failures']),
    window: DurationSchema,
    /** `previous`: the window just before; `same_hour`: the same window on each of the past `days` days, averaged. */
    baseline: z.enum(['previous', 'same_hour']).default('previous'),
    days: z.number().int().min(1).max(30).default(7),
    /** Fire when now ≥ factor × baseline. */
    factor: z.number().gt(1),
    /** ... and now ≥ min_count, so 0 → 3 rejections is not a spike. */
    min_count: z.number().nonnegative().default(10),
    group_by: GroupFieldSchema.optional(),
    filters: FiltersSchema.optional(),
  })
  .strict();

export const PatternQuerySchema = z
  .object({
    /** Phrase searched in the raw line (`event.original`) and the reply text (`postfix.response`). */
    text: z.string().min(1).optional(),
    /** `event.action` values, any of. */
    action: z.array(z.string().min(1)).min(1).optional(),
    /** Exact values of event fields (dotted ECS names), each any of its list. */
    fields: z.record(z.string().min(1), z.union([z.string(), z.array(z.string()).min(1)])).optional(),
  })
  .strict()
  .refine((q) => q.text !== undefined || q.action !== undefined || q.fields !== undefined, {
    message: 'give at least one of text, action, fields',
  });
export type PatternQuery = z.infer<typeof PatternQuerySchema>;

export const PatternRuleSchema = z
  .object({
    ...common,
    kind: z.literal('pattern'),
    query: PatternQuerySchema,
    window: DurationSchema,
    /** Matching events (or distinct values of `distinct`) needed to fire. */
    min_count: z.number().int().min(1).default(1),
    /** Count distinct values of this event field instead of events (e.g. `source.ip`). */
    distinct: z.string().min(1).optional(),
    /** One alert per value of this event field (e.g. `host.name`). */
    group_by: z.string().min(1).optional(),
    /** Raw lines quoted in the notification. */
    examples: z.number().int().min(0).max(20).default(3),
  })
  .strict();

export const AbsenceRuleSchema = z
  .object({
    ...common,
    kind: z.literal('absence'),
    /** Silence longer than this fires, per host. */
    window: DurationSchema,
    /** Hosts that must log; when empty, every host seen within `lookback`. */
    hosts: z.array(z.string().min(1)).default([]),
    lookback: DurationSchema.default(86_400_000),
  })
  .strict();

export const RuleInputSchema = z.discriminatedUnion('kind', [
  ThresholdRuleSchema,
  SpikeRuleSchema,
  PatternRuleSchema,
  AbsenceRuleSchema,
]);

export const DefaultsSchema = z
  .object({
    severity: SeveritySchema.default('warning'),
    every: DurationSchema.default(60_000),
    for: DurationSchema.default(0),
    repeat_interval: DurationSchema.default(4 * 3_600_000),
    query_delay: DurationSchema.default(5_000),
    notify: z.array(ChannelSchema).default(['slack', 'webhook']),
  })
  .strict();

/** A silence: alerts whose labels match every matcher are not notified until `ends_at`. */
export const SilenceInputSchema = z
  .object({
    /** Label name → exact value; `alertname` is the rule name, group labels are `domain`, `host`, ... */
    matchers: z
      .record(z.string().min(1), z.string())
      .refine((m) => Object.keys(m).length > 0, 'give at least one matcher'),
    starts_at: z.iso.datetime({ offset: true }).optional(),
    ends_at: z.iso.datetime({ offset: true }),
    comment: z.string().default(''),
    created_by: z.string().default('rules file'),
  })
  .strict();
export type SilenceInput = z.infer<typeof SilenceInputSchema>;

export const RulesFileSchema = z
  .object({
    defaults: DefaultsSchema.default(DefaultsSchema.parse({})),
    rules: z.array(RuleInputSchema),
    silences: z.array(SilenceInputSchema).default([]),
  })
  .strict();

type RuleInput = z.infer<typeof RuleInputSchema>;
type Defaults = z.infer<typeof DefaultsSchema>;

/** A rule with every default applied: what the evaluator and scheduler read. */
export type Rule = RuleInput &
  Required<Pick<RuleInput, 'severity' | 'every' | 'for' | 'repeat_interval' | 'query_delay' | 'notify'>>;
export type ThresholdRule = Extract<Rule, { kind: 'threshold' }>;
export type SpikeRule = Extract<Rule, { kind: 'spike' }>;
export type PatternRule = Extract<Rule, { kind: 'pattern' }>;
export type AbsenceRule = Extract<Rule, { kind: 'absence' }>;

export interface RuleSet {
  readonly rules: readonly Rule[];
  readonly silences: readonly SilenceInput[];
}

function applyDefaults(rule: RuleInput, d: Defaults): Rule {
  return {
    ...rule,
    severity: rule.severity ?? d.severity,
    every: rule.every ?? d.every,
    for: rule.for ?? d.for,
    repeat_interval: rule.repeat_interval ?? d.repeat_interval,
    query_delay: rule.query_delay ?? d.query_delay,
    notify: rule.notify ?? d.notify,
  };
}

/** `rule "bounce-spike" (rules[2]) field window: expected ...` for a person fixing the file. */
function describe(error: z.ZodError, data: unknown): string {
  const rules = (data as { rules?: unknown })?.rules;
  return error.issues
    .map((issue) => {
      const [top, index, ...rest] = issue.path;
      if (top === 'rules' && typeof index === 'number') {
        const raw = Array.isArray(rules) ? (rules[index] as { name?: unknown } | undefined) : undefined;
        const name = typeof raw?.name === 'string' ? `rule "${raw.name}"` : 'rule';
        if (issue.code === 'unrecognized_keys') {
          const field = [...rest, issue.keys.join(', ')].join('.');
          return `${name} (rules[${index}]) field ${field}: unknown field (a typo?)`;
        }
        const field = rest.length > 0 ? rest.join('.') : issue.code === 'invalid_union' ? 'kind' : '(rule)';
        const message =
          issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.message;
        return `${name} (rules[${index}]) field ${field}: ${message}`;
      }
      return `${issue.path.length > 0 ? issue.path.join('.') : '(file)'}: ${issue.message}`;
    })
    .join('; ');
}

/** Parses and validates rules text; throws MP_ERR_RULES_INVALID naming the rule and field. */
export function parseRules(
  text: string,
  source: string,
  format: 'yaml' | 'json' = source.endsWith('.json') ? 'json' : 'yaml',
): RuleSet {
  let data: unknown;
  try {
    data = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new MailpulseError('MP_ERR_RULES_INVALID', [source, (err as Error).message.split('\n')[0]]);
  }
  const parsed = RulesFileSchema.safeParse(data);
  if (!parsed.success)
    throw new MailpulseError('MP_ERR_RULES_INVALID', [source, describe(parsed.error, data)]);
  const seen = new Set<string>();
  for (const [i, rule] of parsed.data.rules.entries()) {
    if (seen.has(rule.name)) {
      throw new MailpulseError('MP_ERR_RULES_INVALID', [
        source,
        `rule "${rule.name}" (rules[${i}]) field name: duplicate rule name`,
      ]);
    }
    seen.add(rule.name);
  }
  return {
    rules: parsed.data.rules.filter((r) => r.enabled).map((r) => applyDefaults(r, parsed.data.defaults)),
    silences: parsed.data.silences,
  };
}

export function loadRulesFile(path: string): RuleSet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new MailpulseError('MP_ERR_RULES_INVALID', [
      path,
      `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    ]);
  }
  return parseRules(text, path);
}
