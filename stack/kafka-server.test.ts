import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kafkaClusterId } from './kafka-server.js';

test('Kafka cluster ids are 22 base64url characters and never start with "-"', () => {
  // A "-" comes first once in 64 ids: 10,000 ids would show one with near certainty.
  for (let i = 0; i < 10_000; i++) {
    const id = kafkaClusterId();
    assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  }
});
