import { Client } from 'pg';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { outboxRelayMigrations } from './outbox-relay.migrations';
import { consumerMigrations } from './consumer.migrations';
import { DATABASE_CONNECT_TIMEOUT_MS, DatabaseUnreachableError } from './database-unreachable';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${schema}`);
  return schema;
}

/** The event store's tables in a service's schema: events (the outbox too) and checkpoints. */
export function eventStoreMigrations(schema: string): (new () => MigrationInterface)[] {
  const s = assertSchemaName(schema);
  class CreateEventStore1732400000000 implements MigrationInterface {
    name = 'CreateEventStore1732400000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`CREATE TABLE ${s}.events (
        position bigserial PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL UNIQUE,
        stream_id text NOT NULL,
        stream_version int NOT NULL,
        type text NOT NULL,
        schema_version int NOT NULL,
        data jsonb NOT NULL,
        secret jsonb,
        metadata jsonb NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        CONSTRAINT events_stream_version UNIQUE (stream_id, stream_version))`);
      await queryRunner.query(`CREATE INDEX events_commit_order ON ${s}.events (transaction_id, position)`);
      await queryRunner.query(`CREATE TABLE ${s}.relay_checkpoints (
        name text PRIMARY KEY, transaction_id xid8 NOT NULL, position bigint NOT NULL)`);
      await queryRunner.query(`CREATE TABLE ${s}.consumer_checkpoints (
        consumer text NOT NULL, stream_id text NOT NULL, stream_version int NOT NULL,
        PRIMARY KEY (consumer, stream_id))`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE ${s}.consumer_checkpoints, ${s}.relay_checkpoints, ${s}.events`);
    }
  }
  /** The commands this store has executed and their first result (commands-once, handled-commands.ts). */
  class CreateHandledCommands1733100000000 implements MigrationInterface {
    name = 'CreateHandledCommands1733100000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`CREATE TABLE ${s}.handled_commands (
        command_id text PRIMARY KEY,
        reply jsonb NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now())`);
      await queryRunner.query(
        `CREATE INDEX handled_commands_handled_at ON ${s}.handled_commands (handled_at)`,
      );
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE ${s}.handled_commands`);
    }
  }
  return [CreateEventStore1732400000000, CreateHandledCommands1733100000000, ...outboxRelayMigrations(s)];
}

/**
 * Brings a service's schema up to date: the event store's migrations and the service's own. Replicas
 * starting together serialise on an advisory lock, so only one runs them.
 */
export async function runMigrations(
  url: string,
  schema: string,
  own: (new () => MigrationInterface)[] = [],
): Promise<void> {
  const s = assertSchemaName(schema);
  // A service's first connection to its database: one that fails says which setting to check.
  const lock = new Client({ connectionString: url, connectionTimeoutMillis: DATABASE_CONNECT_TIMEOUT_MS });
  await lock.connect().catch((error: unknown) => {
    throw new DatabaseUnreachableError(url, s, error);
  });
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`dockyard-migrations-${s}`]);
    await lock.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    const dataSource = new DataSource({
      type: 'postgres',
      url,
      schema: s,
      migrationsTableName: 'migrations',
      migrations: [...eventStoreMigrations(s), ...consumerMigrations(s), ...own],
      migrationsTransactionMode: 'each',
      logging: false,
    });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lock.end();
  }
}
