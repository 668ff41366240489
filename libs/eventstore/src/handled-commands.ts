import { Pool, PoolClient } from 'pg';
import { DomainError, DomainErrorCode, isDomainError } from '@dockyard/contracts';
import { assertSchemaName } from './event-store.migrations';
import { DuplicateEventError } from './event-store.types';
import { commitWakingRelays, forgetRelayWakes } from './relay-wake';

const UNIQUE_VIOLATION = '23505';

/** A command's first result as `<schema>.handled_commands.reply` keeps it: its reply or its DomainError. */
export type CommandOutcome =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: DomainErrorCode; message: string } };

/**
 * One command being executed under its id. Its first append opens a transaction that claims the id
 * in `handled_commands` (a concurrent delivery of the same id waits on that row, then finds it
 * handled), holds every event the command appends, and commits only with the command's outcome.
 */
export interface CommandScope {
  readonly schema: string;
  readonly commandId: string;
  client: PoolClient | null;
  /** Events appended so far by this command: the next event's index for its derived id. */
  appended: number;
  /** The command's transaction, opened (and its id claimed) on first use. */
  claim(): Promise<PoolClient>;
  /** Rolls the command's transaction back (its claim too): as if it had not appended yet. */
  abandon(): Promise<void>;
}

/**
 * The commands executing in this process, by schema and command id. An append finds its command
 * through the id its metadata carries (`MessageMetadata.commandId`), not through an
 * AsyncLocalStorage scope: on Node 20 one such scope anywhere turns on promise hooks for every
 * promise of the process, which cost the standalone hub a fifth of its reads (docs/benchmarks.md).
 */
const running = new Map<string, CommandScope & { settled: Promise<void> }>();
const runningKey = (schema: string, commandId: string): string => `${schema}\u0000${commandId}`;

/** The command `commandId` being executed against `schema` in this process, if it is. */
export const currentCommand = (schema: string, commandId: string | undefined): CommandScope | undefined =>
  commandId === undefined ? undefined : running.get(runningKey(schema, commandId));

/** A concurrent delivery of the same command committed first: answer with its recorded outcome. */
export class CommandAlreadyHandled extends Error {
  constructor(readonly commandId: string) {
    super(`command ${commandId} was handled meanwhile`);
    this.name = 'CommandAlreadyHandled';
  }
}

const replay = <T>(outcome: CommandOutcome): T => {
  if (outcome.ok) return outcome.result as T;
  throw new DomainError(outcome.error.code, outcome.error.message);
};

/**
 * `<schema>.handled_commands`: the commands a service executed and their first result. A command id
 * is executed once; a repeat (a client's retry with the same Idempotency-Key, a redelivery) is
 * answered with the stored reply or DomainError. For a command that appends, the record is written
 * in the transaction of its events (`EventStore.append` joins the command's scope), so both or
 * neither commit; a command that appends nothing records its outcome alone.
 */
export class HandledCommands {
  readonly schema: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.schema = assertSchemaName(schema);
  }

  async find(commandId: string): Promise<CommandOutcome | undefined> {
    const { rows } = await this.pool.query(`SELECT reply FROM ${this.schema}.handled_commands WHERE command_id = $1`, [commandId]);
    return rows[0]?.reply;
  }

  /**
   * Runs `execute` unless `commandId` was handled; either way answers the command's first outcome.
   * The appends `execute` makes with this command id in their metadata join its transaction.
   */
  async runOnce<T>(commandId: string, execute: () => Promise<T>): Promise<T> {
    const key = runningKey(this.schema, commandId);
    // Another delivery of this command running here: wait for it, then answer as a repeat does. The
    // check and the registration below are one synchronous step, so one scope per id is running.
    for (let other = running.get(key); other; other = running.get(key)) await other.settled;
    let settle!: () => void;
    const scope: CommandScope & { settled: Promise<void> } = {
      schema: this.schema,
      commandId,
      client: null,
      appended: 0,
      claim: () => this.claim(scope),
      abandon: () => this.abandon(scope),
      settled: new Promise<void>((resolve) => (settle = resolve)),
    };
    running.set(key, scope);
    try {
      return await this.execute(scope, execute);
    } finally {
      running.delete(key);
      settle();
    }
  }

  private async execute<T>(scope: CommandScope, execute: () => Promise<T>): Promise<T> {
    const first = await this.find(scope.commandId);
    if (first) return replay<T>(first);
    let outcome: CommandOutcome;
    try {
      const result = await execute();
      outcome = { ok: true, result: result === undefined ? null : result };
    } catch (error) {
      if (error instanceof CommandAlreadyHandled) return replay<T>(await this.mustFind(scope.commandId));
      if (!isDomainError(error)) {
        await this.abandon(scope);
        if (error instanceof DuplicateEventError) {
          // Executed before and no longer remembered (past the retention): refused, never run twice.
          throw new DomainError('conflict', 'This request was already executed');
        }
        throw error;
      }
      outcome = { ok: false, error: { code: error.code, message: error.message } };
    }
    return replay<T>(await this.record(scope, outcome));
  }

  /** Forgets commands handled longer ago than `retentionMs` (far longer than any sender waits). */
  async prune(retentionMs: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM ${this.schema}.handled_commands WHERE handled_at < now() - make_interval(secs => $1)`,
      [retentionMs / 1000],
    );
    return rowCount ?? 0;
  }

  /**
   * The first append of a command: a transaction claiming its id. A concurrent delivery's claim
   * waits for ours and then fails on the primary key: `CommandAlreadyHandled`.
   */
  private async claim(scope: CommandScope): Promise<PoolClient> {
    if (scope.client) return scope.client;
    const client = await this.pool.connect();
    try {
      // One round trip: a simple query, so the id is an escaped literal.
      await client.query(
        `BEGIN; INSERT INTO ${this.schema}.handled_commands (command_id, reply) VALUES (${client.escapeLiteral(scope.commandId)}, '{"pending": true}')`,
      );
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new CommandAlreadyHandled(scope.commandId);
      throw error;
    }
    scope.client = client;
    return client;
  }

  private async record(scope: CommandScope, outcome: CommandOutcome): Promise<CommandOutcome> {
    const client = scope.client;
    if (client) {
      scope.client = null;
      try {
        // The outcome, the commit and the relays' wake-up in one round trip; if the UPDATE fails, COMMIT is not run.
        await client.query(
          `UPDATE ${this.schema}.handled_commands SET reply = ${client.escapeLiteral(JSON.stringify(outcome))}, handled_at = now()
           WHERE command_id = ${client.escapeLiteral(scope.commandId)}; ${commitWakingRelays(client)}`,
        );
        return outcome;
      } catch (error) {
        forgetRelayWakes(client);
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }
    const { rowCount } = await this.pool.query(
      `INSERT INTO ${this.schema}.handled_commands (command_id, reply) VALUES ($1, $2) ON CONFLICT (command_id) DO NOTHING`,
      [scope.commandId, JSON.stringify(outcome)],
    );
    return rowCount ? outcome : this.mustFind(scope.commandId);
  }

  private async abandon(scope: CommandScope): Promise<void> {
    const client = scope.client;
    if (!client) return;
    scope.client = null;
    scope.appended = 0;
    forgetRelayWakes(client);
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }

  private async mustFind(commandId: string): Promise<CommandOutcome> {
    const outcome = await this.find(commandId);
    if (!outcome) throw new Error(`command ${commandId} is neither handled nor running`);
    return outcome;
  }
}
