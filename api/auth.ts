/**
 * Bearer-token check for /api routes. Both sides are hashed before the constant-time compare,
 * so neither the token's content nor its length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { MailpulseError } from '../core/errors.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** True when `header` is `Bearer <token>` with exactly this token. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  const given = m?.[1] ?? '';
  // Compare even when the header is malformed, so a missing token costs the same time.
  const equal = timingSafeEqual(digest(given), digest(token));
  return m !== null && equal;
}

/** An `onRequest` hook refusing requests without the token; a no-op when no token is set. */
export function requireToken(token: string | undefined) {
  return async (req: FastifyRequest): Promise<void> => {
    if (token === undefined) return;
    if (!bearerMatches(req.headers.authorization, token)) throw new MailpulseError('MP_ERR_API_UNAUTHORIZED');
  };
}
