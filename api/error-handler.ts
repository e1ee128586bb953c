/**
 * Every failure becomes a JSON body `{statusCode, code, error, message, issues?}`:
 * - parameter validation → 400 `MP_ERR_API_VALIDATION` with one issue per problem (zod's text);
 * - catalogued errors → their status (401, 404, 502, 503 with `Retry-After`);
 * - fastify's own 4xx (malformed URL, unsupported media type, body too large) → as they are;
 * - anything else is a bug: 500 with a generic message, the details only in the log.
 */

import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isMailpulseError } from '../core/errors.js';
import type { ErrorBody } from './schemas/common.js';

function body(statusCode: number, code: string, message: string, issues?: ErrorBody['issues']): ErrorBody {
  return {
    statusCode,
    code,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    ...(issues ? { issues } : {}),
  };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => {
        const where = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
        return {
          path: where === '' ? `(${err.validationContext ?? 'request'})` : where,
          message: v.message ?? 'invalid',
        };
      });
      const text = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      return reply.code(400).send(body(400, 'MP_ERR_API_VALIDATION', `Invalid request: ${text}`, issues));
    }
    if (isMailpulseError(err)) {
      if (err.statusCode >= 500) req.log.warn({ code: err.code, err: err.message }, 'Request failed.');
      if (err.retryable && err.statusCode === 503) reply.header('retry-after', '5');
      return reply.code(err.statusCode).send(body(err.statusCode, err.code, err.message));
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send(body(status, err.code ?? 'MP_ERR_API_VALIDATION', err.message));
    }
    req.log.error({ err }, 'Unexpected error answering a request.');
    return reply
      .code(500)
      .send(body(500, 'MP_ERR_API_INTERNAL', 'Internal error; the server log has the details'));
  });

  app.setNotFoundHandler((req, reply) => {
    reply
      .code(404)
      .send(body(404, 'MP_ERR_API_NOT_FOUND', `Route ${req.method} ${req.url.split('?')[0]} not found`));
  });
}
