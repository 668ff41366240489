import { Client } from 'pg';
import { READ_MODEL_CHANGES_CHANNEL, ReadModelChange, parseReadModelChange } from '@dockyard/eventstore';
import { Logger } from '@dockyard/runtime';
import { CoalescedFence } from './coalesced-fence';

/** The `application_name` of the gateways' LISTEN sessions. */
export const HOT_VIEW_APPLICATION_NAME = 'dockyard-gateway-changes';

/**
 * The advisory lock (PostgreSQL's lock space is per database) a sole gateway's LISTEN session
 * holds: two standalone hubs on one database would each answer from memory without hearing the
 * other's writes first.
 */
export const SOLE_GATEWAY_LOCK = 0x646f636b7961726en; // "dockyard"

/** How long a starting sole gateway waits for the lock (a hub it replaces may still be stopping). */
const SOLE_GATEWAY_LOCK_WAIT_MS = 10_000;

/**
 * The standalone hub's gateway is its database's only one: each write it acknowledges was heard
 * on its own LISTEN session first (ReadYourWrites), so its reads need no fence. Its session holds
 * SOLE_GATEWAY_LOCK; `displaced` is called if, after the session was lost, another hub holds it.
 */
export interface SoleGateway {
  displaced(): void;
  /** How long a start waits for the lock (default 10 s). */
  lockWaitMs?: number;
}

/** Another hub's session holds the sole-gateway lock. */
export class SoleGatewayTaken extends Error {
  constructor() {
    super('another standalone hub serves this database (it holds the sole-gateway lock): stop it first, or give this hub a database of its own');
    this.name = 'SoleGatewayTaken';
  }
}

/**
 * Resolves once a session of its own could take the sole-gateway lock of `connectionString`'s
 * database (it is released again with that session); throws if another hub's session keeps it
 * `waitMs` (a hub it replaces may still be stopping). The standalone hub checks before its
 * services start; the LISTEN session then takes the lock for good.
 */
export async function awaitSoleGatewayLock(connectionString: string, waitMs = SOLE_GATEWAY_LOCK_WAIT_MS): Promise<void> {
  const client = new Client({ connectionString, application_name: HOT_VIEW_APPLICATION_NAME });
  let held: boolean;
  try {
    await client.connect();
    held = await waitForSoleLock(client, waitMs);
  } catch {
    // A database it cannot reach is not this check's to report: the hub's own connections fail
    // with the message that names the setting, and the LISTEN session takes the lock when it
    // connects (or finds itself displaced).
    return;
  } finally {
    await client.end().catch(() => undefined);
  }
  if (!held) throw new SoleGatewayTaken();
}

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
 *
 * A sole gateway (SoleGateway: the standalone hub) fences no read: no other replica acknowledges
 * writes, and its own were heard before their answers (`heardEverything`). Under load a fence was
 * a `SELECT 1` after nearly every request's arrival: a PostgreSQL round trip for each, about 0.4
 * of this machine's 2 cores between the hub and its backend (docs/benchmarks.md).
 */
export class ReadModelChanges {
  private client: Client | undefined;
  private readonly listeners = new Set<ReadModelChangeListener>();
  private readonly fencer = new CoalescedFence(() => this.probe());
  /** The backend of the last session that held the sole-gateway lock (see takeSoleLock). */
  private soleBackendPid: number | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
    private readonly reconnectMs = 250,
    private readonly sole?: SoleGateway,
  ) {}

  /** True for the sole gateway of its database (see SoleGateway): its reads need no fence. */
  get isSole(): boolean {
    return this.sole !== undefined;
  }

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

  /**
   * Connects (retrying in the background until it succeeds); resolves after the first attempt. A
   * sole gateway's first attempt waits for the lock, and fails while another hub's session keeps it.
   */
  async start(): Promise<void> {
    await this.connect(true);
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
    if (this.sole) return Promise.resolve(this.listening);
    return this.heardEverything(since);
  }

  /**
   * A probe on the session whatever the mode: true once every change this session was signalled
   * of before the call (or `since`) has been applied to the listeners.
   */
  heardEverything(since?: number): Promise<boolean> {
    return this.listening ? this.fencer.fence(since) : Promise.resolve(false);
  }

  private async probe(): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('not listening');
    await client.query('SELECT 1');
  }

  /** `first`: the start's attempt, which throws SoleGatewayTaken where a later one is displaced. */
  private async connect(first = false): Promise<void> {
    if (this.closed) return;
    let taken = false;
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
      if (this.sole && !(await this.takeSoleLock(client))) {
        // Another hub holds it (it started with this one, or took it while this one's session was
        // lost): two gateways answering from memory would each miss the other's writes.
        taken = true;
        this.closed = true;
        await client.end();
      } else if (this.closed) {
        await client.end();
      } else {
        this.client = client;
        this.soleBackendPid = this.sole ? this.backendPid : undefined;
        // Whatever was committed while no session listened was not heard: start again from nothing.
        this.tellMissed();
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'read-model LISTEN connection failed; retrying');
      lost(error as Error);
    }
    if (!taken) return;
    if (first) throw new SoleGatewayTaken();
    this.logger.error({}, 'another standalone hub holds this database now; stopping');
    this.sole!.displaced();
  }

  /**
   * Takes the sole-gateway lock for `client`'s session, waiting as a start does. This gateway's
   * own earlier session may still hold it: after a network loss the server keeps a backend until
   * its TCP keepalive gives up (hours), so that backend is ended, never one of another hub.
   */
  private takeSoleLock(client: Client): Promise<boolean> {
    return waitForSoleLock(client, this.sole?.lockWaitMs ?? SOLE_GATEWAY_LOCK_WAIT_MS, async () => {
      if (this.soleBackendPid === undefined) return;
      await client.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.pid = $1 AND l.locktype = 'advisory' AND l.granted AND l.classid = $2::oid AND l.objid = $3::oid
           AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND a.application_name = $4`,
        [this.soleBackendPid, Number(SOLE_GATEWAY_LOCK >> 32n), Number(SOLE_GATEWAY_LOCK & 0xffffffffn), HOT_VIEW_APPLICATION_NAME],
      );
    });
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

/** Takes the sole-gateway lock for `client`'s session if no other session holds it. */
async function holdsSoleLock(client: Client): Promise<boolean> {
  const { rows } = await client.query('SELECT pg_try_advisory_lock($1) AS held', [SOLE_GATEWAY_LOCK.toString()]);
  return rows[0].held === true;
}

/**
 * Takes the sole-gateway lock for `client`'s session, trying every 250 ms for `waitMs`;
 * `beforeRetry` may free it first. Whether it holds it.
 */
async function waitForSoleLock(client: Client, waitMs: number, beforeRetry?: () => Promise<void>): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await holdsSoleLock(client)) return true;
    await beforeRetry?.();
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
