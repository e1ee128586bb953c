/**
 * The state of one alert (one rule, one group) as a pure function of what the evaluator saw:
 * `transition(state, observation, now) → { state, effects }`. No clock, no I/O: the engine
 * persists the state and carries out the effects.
 *
 *   inactive ──active──▶ pending ──held for `for`──▶ firing ──clear──▶ resolved
 *      ▲                    │ clear                    │ active, every repeat_interval: reminder
 *      └────────────────────┘                          ▼
 * A silenced alert moves through the same states but sends nothing; when the silence ends while
 * it still fires, the firing notice goes out then. A resolved notice goes to whoever got the
 * firing one, and only to them.
 */
import { z } from 'zod';

export const ALERT_STATUSES = ['inactive', 'pending', 'firing', 'resolved'] as const;
export const AlertStatusSchema = z.enum(ALERT_STATUSES);
export type AlertStatus = z.infer<typeof AlertStatusSchema>;

export const AlertStateSchema = z.object({
  status: AlertStatusSchema,
  /** When the current status began (ms since epoch, data time). */
  since: z.number(),
  /** When the condition began to hold in this episode. */
  activeAt: z.number().nullable(),
  /** When this episode began to fire. */
  firedAt: z.number().nullable(),
  /** When the last firing or reminder notice was sent; null when none was in this episode. */
  notifiedAt: z.number().nullable(),
  /** Last value the evaluator saw. */
  value: z.number().nullable(),
});
export type AlertState = z.infer<typeof AlertStateSchema>;

export interface Observation {
  /** The rule's condition holds for this group now. */
  readonly active: boolean;
  readonly value: number | null;
  readonly silenced: boolean;
  /** The rule's `for`, ms. */
  readonly forMs: number;
  /** The rule's `repeat_interval`, ms. */
  readonly repeatMs: number;
}

export const NOTICE_KINDS = ['firing', 'reminder', 'resolved'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export type Effect =
  | { readonly type: 'notify'; readonly notice: NoticeKind }
  | { readonly type: 'changed'; readonly from: AlertStatus; readonly to: AlertStatus };

export interface Transition {
  readonly state: AlertState;
  readonly effects: readonly Effect[];
}

export const INITIAL_STATE: AlertState = Object.freeze({
  status: 'inactive',
  since: 0,
  activeAt: null,
  firedAt: null,
  notifiedAt: null,
  value: null,
});

function changed(from: AlertStatus, to: AlertStatus): Effect {
  return { type: 'changed', from, to };
}

function startEpisode(state: AlertState, obs: Observation, now: number): Transition {
  const from = state.status;
  if (obs.forMs > 0) {
    return {
      state: {
        status: 'pending',
        since: now,
        activeAt: now,
        firedAt: null,
        notifiedAt: null,
        value: obs.value,
      },
      effects: [changed(from, 'pending')],
    };
  }
  return fire({ ...state, activeAt: now }, obs, now);
}

function fire(state: AlertState, obs: Observation, now: number): Transition {
  const next: AlertState = {
    status: 'firing',
    since: now,
    activeAt: state.activeAt ?? now,
    firedAt: now,
    notifiedAt: obs.silenced ? null : now,
    value: obs.value,
  };
  const effects: Effect[] = [changed(state.status, 'firing')];
  if (!obs.silenced) effects.push({ type: 'notify', notice: 'firing' });
  return { state: next, effects };
}

export function transition(state: AlertState, obs: Observation, now: number): Transition {
  const status = state.status;
  switch (status) {
    case 'inactive':
    case 'resolved':
      if (!obs.active) return { state: { ...state, value: obs.value }, effects: [] };
      return startEpisode(state, obs, now);
    case 'pending':
      if (!obs.active) {
        return {
          state: {
            status: 'inactive',
            since: now,
            activeAt: null,
            firedAt: null,
            notifiedAt: null,
            value: obs.value,
          },
          effects: [changed('pending', 'inactive')],
        };
      }
      if (now - (state.activeAt ?? now) >= obs.forMs) return fire(state, obs, now);
      return { state: { ...state, value: obs.value }, effects: [] };
    case 'firing': {
      if (!obs.active) {
        const next: AlertState = { ...state, status: 'resolved', since: now, value: obs.value };
        const effects: Effect[] = [changed('firing', 'resolved')];
        if (state.notifiedAt !== null) effects.push({ type: 'notify', notice: 'resolved' });
        return { state: next, effects };
      }
      if (obs.silenced) return { state: { ...state, value: obs.value }, effects: [] };
      if (state.notifiedAt === null) {
        return {
          state: { ...state, notifiedAt: now, value: obs.value },
          effects: [{ type: 'notify', notice: 'firing' }],
        };
      }
      if (obs.repeatMs > 0 && now - state.notifiedAt >= obs.repeatMs) {
        return {
          state: { ...state, notifiedAt: now, value: obs.value },
          effects: [{ type: 'notify', notice: 'reminder' }],
        };
      }
      return { state: { ...state, value: obs.value }, effects: [] };
    }
    default: {
      const unreachable: never = status;
      throw new Error(`unknown alert status ${String(unreachable)}`);
    }
  }
}
