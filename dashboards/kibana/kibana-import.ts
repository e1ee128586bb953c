/**
 * Posting the NDJSON to Kibana's saved-objects import API
 * (`POST [/s/<space>]/api/saved_objects/_import?overwrite=true`, multipart field `file`,
 * header `kbn-xsrf`). Kibana answers 200 even when objects fail; `success: false` plus one
 * `errors[]` entry per failed object is the real verdict, so it is what we report.
 */
import { z } from 'zod';
import { MailpulseError } from '../../core/errors.js';

const ImportErrorSchema = z.object({
  id: z.string(),
  type: z.string(),
  title: z.string().optional(),
  meta: z.object({ title: z.string().optional() }).optional(),
  error: z
    .object({
      type: z.string(),
      message: z.string().optional(),
      statusCode: z.number().optional(),
      references: z.array(z.object({ type: z.string(), id: z.string() })).optional(),
    })
    .loose(),
});

export const ImportResponseSchema = z.object({
  success: z.boolean(),
  successCount: z.number().int(),
  errors: z.array(ImportErrorSchema).default([]),
});
export type ImportResponse = z.infer<typeof ImportResponseSchema>;
export type ImportFailure = z.infer<typeof ImportErrorSchema>;

/** One line for a person: which object failed and why, in Kibana's own terms. */
export function describeFailure(f: ImportFailure): string {
  const title = f.title ?? f.meta?.title;
  const what = `${f.type} ${f.id}${title ? ` ("${title}")` : ''}`;
  const e = f.error;
  switch (e.type) {
    case 'missing_references':
      return `${what}: missing references ${(e.references ?? []).map((r) => `${r.type}/${r.id}`).join(', ') || '(none listed)'}`;
    case 'conflict':
    case 'ambiguous_conflict':
      return `${what}: ${e.type.replace('_', ' ')} with an existing object (import with overwrite)`;
    case 'unsupported_type':
      return `${what}: this Kibana does not support the type ${f.type}`;
    default:
      return `${what}: ${e.type}${e.statusCode ? ` (HTTP ${e.statusCode})` : ''}${e.message ? `: ${e.message}` : ''}`;
  }
}

export interface ImportOptions {
  kibanaUrl: string;
  ndjson: string;
  /** Kibana space id; the default space when absent. */
  space?: string;
  apiKey?: string;
  timeoutMs?: number;
}

/** The import URL and headers; credentials in the URL (`http://user:pass@host`) become Basic auth. */
export function importRequest(o: Pick<ImportOptions, 'kibanaUrl' | 'space' | 'apiKey'>): {
  url: string;
  headers: Record<string, string>;
} {
  const base = new URL(o.kibanaUrl);
  const headers: Record<string, string> = { 'kbn-xsrf': 'mailpulse' };
  if (o.apiKey) headers.authorization = `ApiKey ${o.apiKey}`;
  else if (base.username) {
    const user = decodeURIComponent(base.username);
    const pass = decodeURIComponent(base.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  base.username = '';
  base.password = '';
  const root = base.pathname.replace(/\/+$/, '');
  const space = o.space && o.space !== 'default' ? `/s/${encodeURIComponent(o.space)}` : '';
  base.pathname = `${root}${space}/api/saved_objects/_import`;
  base.search = '?overwrite=true';
  return { url: base.toString(), headers };
}

export async function importToKibana(o: ImportOptions): Promise<ImportResponse> {
  const { url, headers } = importRequest(o);
  const shown = url.replace(/\?.*$/, '');
  const form = new FormData();
  form.append('file', new Blob([o.ndjson], { type: 'application/ndjson' }), 'mailpulse.ndjson');
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body: form,
      signal: AbortSignal.timeout(o.timeoutMs ?? 60_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new MailpulseError('MP_ERR_DASHBOARDS_UNREACHABLE', [
      shown,
      cause?.code ?? cause?.message ?? (err as Error).message,
    ]);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const message = (body as { message?: unknown } | undefined)?.message;
    const reason = typeof message === 'string' ? message : text.slice(0, 200) || res.statusText;
    throw new MailpulseError('MP_ERR_DASHBOARDS_IMPORT', [`HTTP ${res.status} from ${shown}: ${reason}`]);
  }
  const parsed = ImportResponseSchema.safeParse(body);
  if (!parsed.success) {
    throw new MailpulseError('MP_ERR_DASHBOARDS_IMPORT', [
      `${shown} did not answer like Kibana's import API: ${text.slice(0, 200)}`,
    ]);
  }
  return parsed.data;
}
