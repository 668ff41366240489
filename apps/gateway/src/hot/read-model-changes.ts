import { Client } from 'pg';
import { READ_MODEL_CHANGES_CHANNEL, ReadModelChange, parseReadModelChange } from '@dockyard/eventstore';
import { Logger } from '@dockyard/runtime';
import { CoalescedFence } from './coalesced-fence';

/** The `application_name` of the gateways' LISTEN sessions. */
export const HOT_VIEW_APPLICATION_NAME = 'dockyard-gateway-changes';

/** What hears the read models' changes: each change, and "some were missed" (connection lost or regained). */
export interface ReadModelChangeListener {
  changed(change: ReadModelChange): void;
  /** Notifications may have been missed: forget everything learnt from them, re-check what is awaited. */
  missed(): void;
}

/**
 * The gateway's ear on the projector's read-model channel (`libs/eventstore/src/read-model-changes.ts`):
 * one dedicated PostgreSQL session (not from the pool: LISTEN belongs to a session) that LISTENs,
 * reconnects by itself when it is lost (PostgreSQL restarting, its backend terminated) and then
 * tells its listeners that notifications were missed.
 *
 * `fence()` runs `SELECT 1` on that session. PostgreSQL sends a session the notifications it has
 * been signalled of ahead of the query's ReadyForQuery, and node-pg hands them to the listeners
 * synchronously while parsing, so once a fence resolves true every change this session was
 * signalled of before it was called has been applied to the listeners. Signals follow a commit's
 * visibility by a moment, which is why a gateway acknowledges a write only after a barrier
 * (`announceBarrier`, ReadYourWrites): then every session has been signalled of it. That is what
 * lets a replica answer from memory and still show a write another replica acknowledged a moment ago.
 */
export class ReadModelChanges {
  private client: Client | undefined;
  private readonly listeners = new Set<ReadModelChangeListener>();
  private readonly fencer = new CoalescedFence(() => this.probe());
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
    private readonly reconnectMs = 250,
  ) {}

  /** True while the session is listening: only then may anything be answered from memory. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** The backend process id of the LISTEN session (tests terminate it to prove the reconnection). */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  subscribe(listener: ReadModelChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connects (retrying in the background until it succeeds); resolves after the first attempt. */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /**
   * See the class comment; `since` as `CoalescedFence.fence`. False when not listening (the caller
   * reads the read model instead). A probe that succeeded on a session since lost still proves
   * what it proved: the loss flushed the view, so what is in it now was read after the loss.
   */
  fence(since?: number): Promise<boolean> {
    return this.listening ? this.fencer.fence(since) : Promise.resolve(false);
  }

  private async probe(): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('not listening');
    await client.query('SELECT 1');
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    // Named, so an operator (or a test) can find the session in pg_stat_activity.
    const client = new Client({ connectionString: this.connectionString, application_name: HOT_VIEW_APPLICATION_NAME });
    client.on('notification', (message) => {
      if (this.client !== client || message.channel !== READ_MODEL_CHANGES_CHANNEL) return;
      // A payload this version cannot read may have named anything: treat it as missed.
      const change = parseReadModelChange(message.payload) ?? ({ kind: 'flush', reason: 'unreadable change' } as const);
      for (const listener of this.listeners) listener.changed(change);
    });
    let gone = false;
    const lost = (error?: Error) => {
      if (gone) return; // 'error' and then 'end' for the same loss
      gone = true;
      if (this.client === client) {
        this.client = undefined;
        this.logger.warn({ err: error }, 'read-model LISTEN connection lost; answering from the read models until it is back');
        this.tellMissed();
      }
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${READ_MODEL_CHANGES_CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      // Whatever was committed while no session listened was not heard: start again from nothing.
      this.tellMissed();
    } catch (error) {
      this.logger.warn({ err: error }, 'read-model LISTEN connection failed; retrying');
      lost(error as Error);
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, this.reconnectMs);
    this.retry.unref();
  }

  private tellMissed(): void {
    for (const listener of this.listeners) listener.missed();
  }
}
