/**
 * Elasticsearch client construction, shared by the indexer, the API and the alert engine.
 * The official client talks to Elasticsearch 8 and 9; we use no Painless, ingest pipelines,
 * data streams or ILM, so any distribution with plain indices works.
 */
import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import type { Config } from './config.js';

export type { Client as EsClient } from '@elastic/elasticsearch';

export function createEsClient(
  es: Config['elasticsearch'],
  options: { requestTimeoutMs?: number } = {},
): Client {
  return new Client({
    node: es.url,
    auth: es.apiKey
      ? { apiKey: es.apiKey }
      : es.username !== undefined
        ? { username: es.username, password: es.password ?? '' }
        : undefined,
    tls: es.caFile ? { ca: readFileSync(es.caFile) } : undefined,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    maxRetries: 2,
  });
}

/** Cluster health status, or throws when Elasticsearch does not answer within `timeoutMs`. */
export async function esHealth(client: Client, timeoutMs = 5000): Promise<'green' | 'yellow' | 'red'> {
  const health = await client.cluster.health({}, { requestTimeout: timeoutMs, maxRetries: 0 });
  return health.status.toLowerCase() as 'green' | 'yellow' | 'red';
}

/**
 * Version and cluster name. Not from `GET /`: the minimal distributions (such as the integ-test
 * zip) have no root endpoint, so `client.info()` and `client.ping()` fail there.
 */
export async function esDescribe(client: Client): Promise<{ version: string; cluster: string }> {
  const [nodes, health] = await Promise.all([
    client.nodes.info({ node_id: '_local', metric: '_none' }),
    client.cluster.health({}, { maxRetries: 0 }),
  ]);
  const node = Object.values(nodes.nodes)[0];
  return { version: node?.version ?? 'unknown', cluster: health.cluster_name };
}
