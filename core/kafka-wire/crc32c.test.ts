import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c } from './crc32c.js';

// Check values from RFC 3720 appendix B.4 (iSCSI) and the CRC catalogue ("123456789").
const cases: [string, Buffer, number][] = [
  ['catalogue check string', Buffer.from('123456789'), 0xe3069283],
  ['32 bytes of zeros', Buffer.alloc(32, 0x00), 0x8a9136aa],
  ['32 bytes of 0xff', Buffer.alloc(32, 0xff), 0x62a8ab43],
  ['32 increasing bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
  ['32 decreasing bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
  ['empty', Buffer.alloc(0), 0],
];

for (const [name, input, expected] of cases) {
  test(`crc32c: ${name}`, () => {
    assert.equal(crc32c(input), expected);
  });
}

/** Bit by bit, straight from the polynomial: slow, and independent of the sliced tables. */
function reference(buf: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test('crc32c: every length and alignment agrees with the bitwise reference', () => {
  const data = Buffer.from(Array.from({ length: 80 }, (_, i) => (i * 37 + 11) & 0xff));
  for (let start = 0; start < 9; start++) {
    for (let end = start; end <= data.length; end++) {
      assert.equal(crc32c(data, start, end), reference(data.subarray(start, end)), `[${start}, ${end})`);
    }
  }
});

test('crc32c: a large buffer at every alignment agrees with the bitwise reference', () => {
  const big = Buffer.alloc(10_003);
  let x = 12345;
  for (let i = 0; i < big.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    big[i] = x >>> 24;
  }
  for (let start = 0; start < 4; start++) {
    assert.equal(crc32c(big, start), reference(big.subarray(start)));
  }
});
