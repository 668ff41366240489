import { Client, QueryConfig } from 'pg';

/** PostgreSQL's "cached plan must not change result type": a prepared statement outlived its table's shape. */
const STALE_PLAN = '0A000';

/**
 * The names under which a process prepares its statements: one per distinct statement text, so
 * every connection of every pool in the process prepares a text under the same name.
 *
 * node-pg sends every statement with values as an unnamed Parse, so PostgreSQL parses, analyses
 * and plans it again on every call. The hub's statements are a few hundred constant texts run
 * millions of times; preparing each once per connection took about 40 % of PostgreSQL's CPU off
 * a push (docs/benchmarks.md). The runtime's sessions still plan each execution for its values
 * (`plan_cache_mode=force_custom_plan`, hub-runtime.ts): what preparing saves is the parse and the
 * analysis. pg has named statements but no cache that names them for you, and pg-pool hands out
 * connections at random, so this is the small piece written here.
 *
 * Bounded: a process that somehow builds statement texts without end prepares only the first
 * `max` and runs the rest unnamed, so no backend grows without limit.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private generation = 0;

  constructor(private readonly max = 2000) {}

  /** The name to prepare `text` under, or undefined to run it unnamed. */
  nameFor(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined) return known;
    // A `*` result takes the table's shape when prepared: a migration that adds a column would
    // fail it until the connection ends. Listed columns only, then.
    if (this.names.size >= this.max || /(?:SELECT|RETURNING)\s+\*|\.\*/i.test(text)) return undefined;
    const name = `dockyard_${this.generation}_${this.names.size}`;
    this.names.set(text, name);
    return name;
  }

  /**
   * A table's shape changed under a prepared statement (a column's type, by a migration of a
   * running hub): PostgreSQL refuses the old statement on every connection that prepared it.
   * Every text gets a new name, so each connection prepares it again on its next use.
   */
  forget(): void {
    this.generation++;
    this.names.clear();
  }

  get size(): number {
    return this.names.size;
  }
}

/**
 * A pg `Client` class (for `new Pool({ Client })`) that runs each statement with values as a
 * prepared statement named by `names`. Statements without values (simple queries, several
 * statements in one text) are sent as they are. A statement's plan follows `search_path`:
 * PostgreSQL parses it again when the path differs from when it was prepared (the rebuild's
 * schemas), and when a table it reads is replaced (the rebuild's swap).
 */
export function preparingClient(names: StatementNames): typeof Client {
  return class PreparingClient extends Client {
    // Client.query has a dozen overloads; this forwards all of them and only names one shape.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    override query(config: any, values?: any, callback?: any): any {
      // A Submittable (a cursor, a stream) is passed on as it is.
      if (typeof config?.submit === 'function') return super.query(config, values, callback);
      const text: unknown = typeof config === 'string' ? config : (config as QueryConfig | undefined)?.text;
      const params: unknown = typeof config === 'string' ? values : (config as QueryConfig | undefined)?.values;
      const unnamed = !(config as QueryConfig | undefined)?.name;
      const name = typeof text === 'string' && Array.isArray(params) && unnamed ? names.nameFor(text) : undefined;
      if (name === undefined) return super.query(config, values, callback);
      const named: QueryConfig =
        typeof config === 'string' ? { name, text: text as string, values: params as unknown[] } : { ...(config as QueryConfig), name };
      // pg-pool's query passes its callback third, after values, in the config form too.
      const done = [values, callback].find((arg) => typeof arg === 'function');
      if (done) {
        return super.query(named, (error: Error | null, result: unknown) => {
          if (error) this.noticeStale(error);
          done(error, result);
        });
      }
      const pending = super.query(named) as unknown as Promise<unknown>;
      return pending.catch((error: unknown) => {
        this.noticeStale(error);
        throw error;
      });
    }

    private noticeStale(error: unknown): void {
      if ((error as { code?: unknown }).code === STALE_PLAN && /cached plan/i.test(String((error as Error).message))) {
        names.forget();
      }
    }
  };
}
