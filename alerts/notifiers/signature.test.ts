import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sign, verify } from './signature.js';

// The Standard Webhooks reference vector, as published with the reference libraries (svix et al.).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signatures', () => {
  it('reproduces the reference vector', () => {
    assert.equal(sign(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body), VECTOR.signature);
  });

  const headers = { id: VECTOR.id, timestamp: String(VECTOR.timestamp), signature: VECTOR.signature };
  const cases: Array<[string, () => boolean, boolean]> = [
    ['the vector verifies', () => verify(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp), true],
    [
      'one of several space-separated signatures is enough',
      () =>
        verify(
          VECTOR.secret,
          { ...headers, signature: `v1,bm9wZQ== ${VECTOR.signature}` },
          VECTOR.body,
          VECTOR.timestamp,
        ),
      true,
    ],
    [
      'a changed body fails',
      () => verify(VECTOR.secret, headers, '{"test": 2432232315}', VECTOR.timestamp),
      false,
    ],
    [
      'another id fails',
      () => verify(VECTOR.secret, { ...headers, id: 'msg_other' }, VECTOR.body, VECTOR.timestamp),
      false,
    ],
    [
      'a timestamp older than 5 minutes fails',
      () => verify(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp + 301),
      false,
    ],
    [
      'a timestamp from the future beyond 5 minutes fails',
      () => verify(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp - 301),
      false,
    ],
    [
      'a non-numeric timestamp fails',
      () => verify(VECTOR.secret, { ...headers, timestamp: 'soon' }, VECTOR.body, VECTOR.timestamp),
      false,
    ],
  ];
  for (const [name, run, expected] of cases) it(name, () => assert.equal(run(), expected));

  it('a secret without whsec_ is used as its UTF-8 bytes', () => {
    const a = sign('plain-secret-0123456789', 'msg_1', 1, '{}');
    assert.notEqual(a, sign('whsec_plain-secret-0123456789', 'msg_1', 1, '{}'));
    assert.equal(
      verify('plain-secret-0123456789', { id: 'msg_1', timestamp: '1', signature: a }, '{}', 1),
      true,
    );
  });
});
