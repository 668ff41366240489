import { PoolClient } from 'pg';

/**
 * An append wakes its store's outbox relays (`LISTEN "<schema>_events"`, outbox-relay.ts) with a
 * NOTIFY sent after its transaction commits, in a transaction of its own, never inside it.
 *
 * Why: a transaction that has queued a NOTIFY takes PostgreSQL's one notification lock, for the
 * whole cluster, from just before its commit until after it (async.c, PreCommit_Notify: "Serialize
 * writers by acquiring a special lock that we hold till after commit"), so every such commit
 * waited for the WAL flush of the one before it. On this machine that capped notifying commits at
 * about 2,200–2,700 a second whatever the concurrency, against 4,600–5,800 for the same inserts
 * without it (docs/benchmarks.md, "Notification lock"). A transaction that only notifies writes
 * nothing else, so it commits without waiting for the disk and holds that lock a moment.
 *
 * The wake-up is only a hint: a relay also looks every second, so one lost with a crash between
 * the commit and the NOTIFY delays those events, it loses none.
 */
const wakes = new WeakMap<PoolClient, Set<string>>();

/** Notes that `client`'s open transaction appended to `schema`'s events: its commit must wake that store's relays. */
export function wakeRelaysAfterCommit(client: PoolClient, schema: string): void {
  let schemas = wakes.get(client);
  if (!schemas) wakes.set(client, (schemas = new Set()));
  schemas.add(schema);
}

/**
 * `COMMIT` for `client`'s open transaction, followed by the wake-ups its appends asked for: one
 * simple query, so no round trip is added; a failed COMMIT skips what follows it.
 */
export function commitWakingRelays(client: PoolClient): string {
  const schemas = wakes.get(client);
  wakes.delete(client);
  // Schema names are checked identifiers (assertSchemaName) wherever an event store is made.
  return ['COMMIT', ...[...(schemas ?? [])].map((schema) => `SELECT pg_notify('${schema}_events', '')`)].join('; ');
}

/** The transaction rolled back: its appends are gone, nothing to wake. */
export function forgetRelayWakes(client: PoolClient): void {
  wakes.delete(client);
}
