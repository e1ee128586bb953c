import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deferred as gate } from '../test/deferred.js';
import { PartitionCommits } from './commit-order.js';

function recorder(options: { failCommitOf?: string } = {}) {
  const log: string[] = [];
  const commits = new PartitionCommits({
    commit: async (next) => {
      if (next === options.failCommitOf) throw new Error('rebalance');
      log.push(`commit ${next}`);
    },
    rewind: (first, err) => log.push(`rewind ${first} (${(err as Error).message})`),
    commitFailed: (err) => log.push(`commit failed (${(err as Error).message})`),
  });
  return { log, commits };
}

describe('PartitionCommits', () => {
  it('commits in taking order even when a later batch finishes first', async () => {
    const { log, commits } = recorder();
    const a = gate();
    const b = gate();
    commits.add('0', '10', a.promise);
    commits.add('10', '20', b.promise);
    b.resolve();
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(log, [], 'the second batch must wait for the first');
    a.resolve();
    await commits.settled();
    assert.deepEqual(log, ['commit 10', 'commit 20']);
  });

  it('a failed batch commits nothing from it on and rewinds once to its first offset', async () => {
    const { log, commits } = recorder();
    const a = gate();
    const b = gate();
    const c = gate();
    commits.add('0', '10', a.promise);
    commits.add('10', '20', b.promise);
    commits.add('20', '30', c.promise);
    c.resolve();
    b.reject(new Error('es down'));
    a.resolve();
    await commits.settled();
    assert.deepEqual(log, ['commit 10', 'rewind 10 (es down)']);
  });

  it('a second failure behind the first does not rewind again', async () => {
    const { log, commits } = recorder();
    commits.add('0', '10', Promise.reject(new Error('first')));
    commits.add('10', '20', Promise.reject(new Error('second')));
    await commits.settled();
    assert.deepEqual(log, ['rewind 0 (first)']);
  });

  it('batches taken after a rewind commit again', async () => {
    const { log, commits } = recorder();
    commits.add('0', '10', Promise.reject(new Error('lost')));
    await commits.settled();
    commits.add('0', '10', Promise.resolve());
    commits.add('10', '20', Promise.resolve());
    await commits.settled();
    assert.deepEqual(log, ['rewind 0 (lost)', 'commit 10', 'commit 20']);
  });

  it('a failed commit is reported and later ones still go out', async () => {
    const { log, commits } = recorder({ failCommitOf: '10' });
    commits.add('0', '10', Promise.resolve());
    commits.add('10', '20', Promise.resolve());
    await commits.settled();
    assert.deepEqual(log, ['commit failed (rebalance)', 'commit 20']);
  });

  it('a rewind that throws (consumer stopping) is contained', async () => {
    const log: string[] = [];
    const commits = new PartitionCommits({
      commit: async (next) => {
        log.push(`commit ${next}`);
      },
      rewind: () => {
        throw new Error('consumer stopped');
      },
    });
    commits.add('0', '10', Promise.reject(new Error('abandoned')));
    commits.add('10', '20', Promise.resolve());
    await commits.settled();
    assert.deepEqual(log, [], 'nothing after the failed batch is committed');
    assert.equal(commits.pending, 0);
  });

  it('after revoke, pending batches neither commit nor rewind', async () => {
    const { log, commits } = recorder();
    const a = gate();
    const b = gate();
    commits.add('0', '10', a.promise);
    commits.add('10', '20', b.promise);
    commits.revoke();
    a.resolve();
    b.reject(new Error('lost'));
    await commits.settled();
    assert.deepEqual(log, []);
  });

  it('a partition that came back waits for the writes of its revoked batches', async () => {
    const log: string[] = [];
    const old = gate();
    const commits = new PartitionCommits(
      {
        commit: async (next) => {
          log.push(`commit ${next}`);
        },
        rewind: () => {},
      },
      old.promise,
    );
    let settled = false;
    const waiting = commits.settled().then(() => {
      settled = true;
    });
    commits.add('50', '60', Promise.resolve());
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(settled, false);
    assert.deepEqual(log, []);
    old.resolve();
    await waiting;
    await commits.settled();
    assert.deepEqual(log, ['commit 60']);
  });

  it('below(limit) waits until fewer than limit batches are pending', async () => {
    const { commits } = recorder();
    const a = gate();
    const b = gate();
    commits.add('0', '10', a.promise);
    commits.add('10', '20', b.promise);
    assert.equal(commits.pending, 2);
    let released = false;
    const waiting = commits.below(2).then(() => {
      released = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(released, false);
    a.resolve();
    await waiting;
    assert.equal(commits.pending, 1);
    await commits.below(2);
    b.resolve();
    await commits.settled();
    await new Promise((r) => setImmediate(r));
    assert.equal(commits.pending, 0);
  });
});
