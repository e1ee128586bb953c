/**
 * One TCP (or TLS) connection to one broker: size-prefixed requests, responses matched by
 * correlation id, a timeout per request, and SASL PLAIN when configured. When the socket
 * fails every pending request is rejected with the same error and the connection is dead;
 * the producer opens a new one.
 */
import net from 'node:net';
import tls from 'node:tls';
import {
  ApiKey,
  ApiVersion,
  errorName,
  readSaslAuthenticate,
  readSaslHandshake,
  requestHeader,
  saslAuthenticateRequest,
  saslHandshakeRequest,
} from './protocol.js';

export interface SaslPlain {
  mechanism: 'plain';
  username: string;
  password: string;
}

/** What every client in this folder needs to reach the cluster. */
export interface WireSettings {
  brokers: readonly string[];
  clientId: string;
  ssl?: boolean;
  sasl?: SaslPlain;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  ssl?: boolean;
  sasl?: SaslPlain;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

/** `host:port` or `[v6 address]:port`, as in KAFKA_BROKERS. */
export function parseBroker(b: string): { host: string; port: number } {
  const i = b.lastIndexOf(':');
  return { host: b.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(b.slice(i + 1)) };
}

interface Pending {
  resolve(body: Buffer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class KafkaWireError extends Error {
  constructor(
    message: string,
    /** Kafka's error name (e.g. MESSAGE_TOO_LARGE), or a transport failure's. */
    readonly type: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

export class BrokerConnection {
  private socket: net.Socket | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failure: Error | undefined;

  private constructor(private readonly options: ConnectionOptions) {}

  static async open(options: ConnectionOptions): Promise<BrokerConnection> {
    const c = new BrokerConnection(options);
    await c.connect();
    if (options.sasl) {
      try {
        await c.authenticate(options.sasl);
      } catch (err) {
        c.close();
        throw err;
      }
    }
    return c;
  }

  get dead(): boolean {
    return this.failure !== undefined;
  }

  private connect(): Promise<void> {
    const { host, port, ssl, connectTimeoutMs } = this.options;
    return new Promise((resolve, reject) => {
      const socket = ssl ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new KafkaWireError(`connection to ${host}:${port} timed out`, 'CONNECTION_TIMEOUT', true));
      }, connectTimeoutMs);
      socket.once(ssl ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.on('error', (err) => {
        clearTimeout(timer);
        const e = new KafkaWireError(`${host}:${port}: ${err.message}`, 'CONNECTION_ERROR', true);
        this.fail(e);
        reject(e);
      });
      socket.on('close', () =>
        this.fail(new KafkaWireError(`${host}:${port}: connection closed`, 'CONNECTION_CLOSED', true)),
      );
      socket.on('data', (chunk: Buffer) => this.receive(chunk));
      this.socket = socket;
    });
  }

  private async authenticate(sasl: NonNullable<ConnectionOptions['sasl']>): Promise<void> {
    const hs = readSaslHandshake(
      await this.request(ApiKey.saslHandshake, ApiVersion.saslHandshake, saslHandshakeRequest('PLAIN')),
    );
    if (hs.errorCode !== 0) {
      throw new KafkaWireError(
        `SASL PLAIN refused (${errorName(hs.errorCode)}; broker offers ${hs.mechanisms.join(', ')})`,
        errorName(hs.errorCode),
        false,
      );
    }
    const token = Buffer.from(`\0${sasl.username}\0${sasl.password}`);
    const auth = readSaslAuthenticate(
      await this.request(
        ApiKey.saslAuthenticate,
        ApiVersion.saslAuthenticate,
        saslAuthenticateRequest(token),
      ),
    );
    if (auth.errorCode !== 0) {
      throw new KafkaWireError(
        `SASL authentication failed: ${auth.message ?? errorName(auth.errorCode)}`,
        errorName(auth.errorCode),
        false,
      );
    }
  }

  /** Sends one request and resolves with the response body (after the correlation id). */
  request(apiKey: number, apiVersion: number, body: Buffer[]): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const socket = this.socket as net.Socket;
    const id = this.nextId;
    this.nextId = (this.nextId + 1) & 0x7fffffff;
    const header = requestHeader(apiKey, apiVersion, id, this.options.clientId);
    let size = 0;
    for (const b of header) size += b.length;
    for (const b of body) size += b.length;
    const prefix = Buffer.allocUnsafe(4);
    prefix.writeInt32BE(size);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(
          new KafkaWireError(
            `no answer from ${this.options.host}:${this.options.port} within ${this.options.requestTimeoutMs} ms`,
            'REQUEST_TIMEOUT',
            true,
          ),
        );
      }, this.options.requestTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      socket.cork();
      socket.write(prefix);
      for (const b of header) socket.write(b);
      for (const b of body) socket.write(b);
      socket.uncork();
    });
  }

  close(): void {
    this.fail(new KafkaWireError('connection closed by the client', 'CONNECTION_CLOSED', true));
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.socket?.destroy();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < 4) return;
      let head = this.chunks[0] as Buffer;
      if (head.length < 4) {
        head = Buffer.concat(this.chunks);
        this.chunks = [head];
      }
      const size = head.readInt32BE(0);
      if (this.buffered < 4 + size) return;
      const all = this.chunks.length === 1 ? head : Buffer.concat(this.chunks);
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      const id = frame.readInt32BE(0);
      const p = this.pending.get(id);
      if (p === undefined) continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(frame.subarray(4));
    }
  }
}
