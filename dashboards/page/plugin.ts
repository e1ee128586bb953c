/**
 * The built-in dashboard page as a fastify plugin: `GET /` answers the HTML, `GET /assets/<file>`
 * the scripts and styles next to it. The files are plain HTML, CSS and browser ES modules in
 * `static/` (no bundler, no build server), read once at registration; the page itself only
 * calls the public `/api/v1` endpoints, so it needs no route of its own beyond these.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { repoPath } from '../../core/paths.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Where the page's files live; the source folder, since they are served as written. */
export const PAGE_DIR = repoPath('dashboards', 'page', 'static');

interface Asset {
  body: Buffer;
  type: string;
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    if (type) assets.set(name, { body: readFileSync(join(dir, name)), type });
  }
  return assets;
}

export async function dashboardPage(app: FastifyInstance, opts: { dir?: string } = {}): Promise<void> {
  const assets = loadAssets(opts.dir ?? PAGE_DIR);
  const index = assets.get('index.html');
  if (!index) throw new Error(`index.html missing in ${opts.dir ?? PAGE_DIR}`);
  const security = {
    'content-security-policy':
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'",
    'x-content-type-options': 'nosniff',
  };
  // Not part of the API: @fastify/swagger leaves out routes marked `hide` (its type
  // augmentation is not loaded by this plugin, hence the cast).
  const hidden = { schema: { hide: true } as FastifySchema };
  app.get('/', hidden, async (_req, reply) => {
    return reply
      .headers({ ...security, 'cache-control': 'no-cache' })
      .type(index.type)
      .send(index.body);
  });
  app.get<{ Params: { file: string } }>('/assets/:file', hidden, async (req, reply) => {
    const asset = assets.get(req.params.file);
    if (!asset || req.params.file === 'index.html') return reply.code(404).send({ message: 'Not found' });
    return reply
      .headers({ ...security, 'cache-control': 'no-cache' })
      .type(asset.type)
      .send(asset.body);
  });
}
