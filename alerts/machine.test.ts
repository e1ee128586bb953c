import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AlertState, type Effect, INITIAL_STATE, type Observation, transition } from './machine.js';

const MIN = 60_000;
const obs = (o: Partial<Observation>): Observation => ({
  active: true,
  value: 1,
  silenced: false,
  forMs: 0,
  repeatMs: 0,
  ...o,
});
const state = (s: Partial<AlertState>): AlertState => ({ ...INITIAL_STATE, ...s });
const notify = (notice: 'firing' | 'reminder' | 'resolved'): Effect => ({ type: 'notify', notice });

describe('transition: one step', () => {
  const cases: Array<{
    name: string;
    from: AlertState;
    obs: Observation;
    now: number;
    status: AlertState['status'];
    effects: Effect[];
    check?: (s: AlertState) => void;
  }> = [
    {
      name: 'inactive stays inactive on clear',
      from: INITIAL_STATE,
      obs: obs({ active: false }),
      now: 10 * MIN,
      status: 'inactive',
      effects: [],
    },
    {
      name: 'inactive → pending when for > 0',
      from: INITIAL_STATE,
      obs: obs({ forMs: 5 * MIN }),
      now: 10 * MIN,
      status: 'pending',
      effects: [{ type: 'changed', from: 'inactive', to: 'pending' }],
      check: (s) => assert.equal(s.activeAt, 10 * MIN),
    },
    {
      name: 'inactive → firing at once when for = 0',
      from: INITIAL_STATE,
      obs: obs({}),
      now: 10 * MIN,
      status: 'firing',
      effects: [{ type: 'changed', from: 'inactive', to: 'firing' }, notify('firing')],
      check: (s) => assert.deepEqual([s.activeAt, s.firedAt, s.notifiedAt], [10 * MIN, 10 * MIN, 10 * MIN]),
    },
    {
      name: 'inactive → firing silenced: no notice, not marked notified',
      from: INITIAL_STATE,
      obs: obs({ silenced: true }),
      now: 10 * MIN,
      status: 'firing',
      effects: [{ type: 'changed', from: 'inactive', to: 'firing' }],
      check: (s) => assert.equal(s.notifiedAt, null),
    },
    {
      name: 'pending holds before for has elapsed',
      from: state({ status: 'pending', since: 10 * MIN, activeAt: 10 * MIN }),
      obs: obs({ forMs: 5 * MIN }),
      now: 14 * MIN,
      status: 'pending',
      effects: [],
    },
    {
      name: 'pending → firing exactly when for has elapsed',
      from: state({ status: 'pending', since: 10 * MIN, activeAt: 10 * MIN }),
      obs: obs({ forMs: 5 * MIN }),
      now: 15 * MIN,
      status: 'firing',
      effects: [{ type: 'changed', from: 'pending', to: 'firing' }, notify('firing')],
      check: (s) => assert.deepEqual([s.activeAt, s.firedAt], [10 * MIN, 15 * MIN]),
    },
    {
      name: 'pending → inactive on clear, nothing sent',
      from: state({ status: 'pending', since: 10 * MIN, activeAt: 10 * MIN }),
      obs: obs({ active: false, forMs: 5 * MIN }),
      now: 12 * MIN,
      status: 'inactive',
      effects: [{ type: 'changed', from: 'pending', to: 'inactive' }],
    },
    {
      name: 'firing, no reminder before repeat_interval',
      from: state({
        status: 'firing',
        since: 10 * MIN,
        activeAt: 10 * MIN,
        firedAt: 10 * MIN,
        notifiedAt: 10 * MIN,
      }),
      obs: obs({ repeatMs: 60 * MIN }),
      now: 69 * MIN,
      status: 'firing',
      effects: [],
    },
    {
      name: 'firing, reminder at repeat_interval',
      from: state({
        status: 'firing',
        since: 10 * MIN,
        activeAt: 10 * MIN,
        firedAt: 10 * MIN,
        notifiedAt: 10 * MIN,
      }),
      obs: obs({ repeatMs: 60 * MIN }),
      now: 70 * MIN,
      status: 'firing',
      effects: [notify('reminder')],
      check: (s) => assert.equal(s.notifiedAt, 70 * MIN),
    },
    {
      name: 'firing, repeat_interval 0 never reminds',
      from: state({ status: 'firing', since: 0, activeAt: 0, firedAt: 0, notifiedAt: 0 }),
      obs: obs({ repeatMs: 0 }),
      now: 1000 * MIN,
      status: 'firing',
      effects: [],
    },
    {
      name: 'firing while silenced sends no reminder',
      from: state({
        status: 'firing',
        since: 10 * MIN,
        activeAt: 10 * MIN,
        firedAt: 10 * MIN,
        notifiedAt: 10 * MIN,
      }),
      obs: obs({ repeatMs: 60 * MIN, silenced: true }),
      now: 80 * MIN,
      status: 'firing',
      effects: [],
    },
    {
      name: 'silence ends while firing unnotified → firing notice then',
      from: state({
        status: 'firing',
        since: 10 * MIN,
        activeAt: 10 * MIN,
        firedAt: 10 * MIN,
        notifiedAt: null,
      }),
      obs: obs({ repeatMs: 60 * MIN }),
      now: 20 * MIN,
      status: 'firing',
      effects: [notify('firing')],
      check: (s) => assert.equal(s.notifiedAt, 20 * MIN),
    },
    {
      name: 'firing → resolved with a notice when the firing one was sent',
      from: state({
        status: 'firing',
        since: 10 * MIN,
        activeAt: 10 * MIN,
        firedAt: 10 * MIN,
        notifiedAt: 10 * MIN,
      }),
      obs: obs({ active: false }),
      now: 30 * MIN,
      status: 'resolved',
      effects: [{ type: 'changed', from: 'firing', to: 'resolved' }, notify('resolved')],
      check: (s) => assert.equal(s.since, 30 * MIN),
    },
    {
      name: 'firing → resolved silently when nobody was told',
      from: state({
        status: 'firing',
        since: 10 * MIN,
        activeAt: 10 * MIN,
        firedAt: 10 * MIN,
        notifiedAt: null,
      }),
      obs: obs({ active: false, silenced: true }),
      now: 30 * MIN,
      status: 'resolved',
      effects: [{ type: 'changed', from: 'firing', to: 'resolved' }],
    },
    {
      name: 'resolved → pending: a new episode restarts the for clock',
      from: state({
        status: 'resolved',
        since: 30 * MIN,
        activeAt: 10 * MIN,
        firedAt: 10 * MIN,
        notifiedAt: 10 * MIN,
      }),
      obs: obs({ forMs: 5 * MIN }),
      now: 40 * MIN,
      status: 'pending',
      effects: [{ type: 'changed', from: 'resolved', to: 'pending' }],
      check: (s) => assert.deepEqual([s.activeAt, s.firedAt, s.notifiedAt], [40 * MIN, null, null]),
    },
    {
      name: 'resolved → firing at once (for = 0) with a fresh start time',
      from: state({
        status: 'resolved',
        since: 30 * MIN,
        activeAt: 10 * MIN,
        firedAt: 10 * MIN,
        notifiedAt: 10 * MIN,
      }),
      obs: obs({}),
      now: 40 * MIN,
      status: 'firing',
      effects: [{ type: 'changed', from: 'resolved', to: 'firing' }, notify('firing')],
      check: (s) => assert.deepEqual([s.activeAt, s.firedAt], [40 * MIN, 40 * MIN]),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { state: next, effects } = transition(c.from, c.obs, c.now);
      assert.equal(next.status, c.status);
      assert.deepEqual(effects, c.effects);
      c.check?.(next);
    });
  }
});

describe('transition: a whole episode', () => {
  it('for 2m, repeat 10m, evaluated every minute: fires at 2m, reminds at 12m and 22m, resolves once', () => {
    let s: AlertState = INITIAL_STATE;
    const sent: string[] = [];
    // condition holds from minute 0 to minute 24 inclusive, then clears
    for (let m = 0; m <= 30; m++) {
      const r = transition(s, obs({ active: m <= 24, forMs: 2 * MIN, repeatMs: 10 * MIN }), m * MIN);
      for (const e of r.effects) if (e.type === 'notify') sent.push(`${m}:${e.notice}`);
      s = r.state;
    }
    assert.deepEqual(sent, ['2:firing', '12:reminder', '22:reminder', '25:resolved']);
    assert.equal(s.status, 'resolved');
  });
});
