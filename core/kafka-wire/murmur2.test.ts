import assert from 'node:assert/strict';
import { test } from 'node:test';
import { murmur2, partitionFor } from './murmur2.js';

// The Java client's own test vectors (org.apache.kafka.common.utils.UtilsTest#testMurmur2).
const cases: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

for (const [key, expected] of cases) {
  test(`murmur2(${JSON.stringify(key)}) matches the Java client`, () => {
    assert.equal(murmur2(Buffer.from(key)), expected);
  });
}

test('partitionFor masks the sign bit before the modulo, as the Java client does', () => {
  // -973932308 & 0x7fffffff = 1173551340; 1173551340 % 3 = 0, % 7 = 3.
  assert.equal(partitionFor(Buffer.from('21'), 3), 0);
  assert.equal(partitionFor(Buffer.from('21'), 7), 3);
  assert.equal(partitionFor(Buffer.from('anything'), 1), 0);
});
