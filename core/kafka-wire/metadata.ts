/**
 * One Metadata request to the first bootstrap broker that answers: which brokers exist and
 * whether topics exist. Lets a command that only produces (the shipper) check the cluster
 * without loading kafkajs, which alone takes about 0.2 s of start-up.
 */
import { BrokerConnection, parseBroker, type WireSettings } from './connection.js';
import { ApiKey, ApiVersion, type MetadataResponse, metadataRequest, readMetadata } from './protocol.js';

export interface MetadataOptions extends WireSettings {
  timeoutMs: number;
}

export async function readClusterMetadata(
  options: MetadataOptions,
  topics: string[],
): Promise<MetadataResponse> {
  let last: unknown;
  for (const broker of options.brokers) {
    let conn: BrokerConnection | undefined;
    try {
      conn = await BrokerConnection.open({
        ...parseBroker(broker),
        clientId: options.clientId,
        ssl: options.ssl,
        sasl: options.sasl,
        connectTimeoutMs: Math.min(3000, options.timeoutMs),
        requestTimeoutMs: options.timeoutMs,
      });
      return readMetadata(await conn.request(ApiKey.metadata, ApiVersion.metadata, metadataRequest(topics)));
    } catch (err) {
      last = err;
    } finally {
      conn?.close();
    }
  }
  throw last ?? new Error('no broker configured');
}
