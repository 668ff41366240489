import { Pool, PoolClient } from 'pg';
import { createTestDatabase } from '@dockyard/testing';
import { StatementNames, preparingClient } from './prepared-statements';

/** The statements this session has prepared through the protocol (not with SQL PREPARE), and how often each ran. */
async function prepared(client: PoolClient): Promise<{ statement: string; runs: number }[]> {
  const { rows } = await client.query(
    `SELECT statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements
     WHERE NOT from_sql ORDER BY statement`,
  );
  return rows;
}

describe('prepared statements on the hub pools (real PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let names: StatementNames;

  beforeAll(async () => {
    url = await createTestDatabase('prepared');
  });

  beforeEach(() => {
    names = new StatementNames(3);
    pool = new Pool({ connectionString: url, max: 1, Client: preparingClient(names) });
  });

  afterEach(async () => {
    await pool.end();
  });

  it('prepares a statement with values once per connection and runs it again by name', async () => {
    const client = await pool.connect();
    try {
      for (const n of [1, 2, 3]) expect((await client.query('SELECT $1::int + 1 AS next', [n])).rows[0].next).toBe(n + 1);
      expect(await prepared(client)).toEqual([{ statement: 'SELECT $1::int + 1 AS next', runs: 3 }]);
    } finally {
      client.release();
    }
    // pool.query and the config form reach the same statement on the same connection.
    expect((await pool.query({ text: 'SELECT $1::int + 1 AS next', values: [9] })).rows[0].next).toBe(10);
    const again = await pool.connect();
    try {
      expect(await prepared(again)).toEqual([{ statement: 'SELECT $1::int + 1 AS next', runs: 4 }]);
    } finally {
      again.release();
    }
  });

  it('leaves simple queries, several statements in one text, and `*` results unprepared', async () => {
    const client = await pool.connect();
    try {
      await client.query('CREATE TABLE shapes (a int); INSERT INTO shapes VALUES (1)');
      expect((await client.query('SELECT * FROM shapes WHERE a = $1', [1])).rows).toEqual([{ a: 1 }]);
      expect((await client.query('SELECT s.* FROM shapes s WHERE a = $1', [1])).rows).toEqual([{ a: 1 }]);
      expect(await prepared(client)).toEqual([]);
      // A migration that adds a column changes what `*` returns; unprepared, it simply follows.
      await client.query('ALTER TABLE shapes ADD COLUMN b int');
      expect((await client.query('SELECT * FROM shapes WHERE a = $1', [1])).rows).toEqual([{ a: 1, b: null }]);
    } finally {
      client.release();
    }
  });

  it('prepares at most `max` texts; the rest run unnamed and still answer', async () => {
    const client = await pool.connect();
    try {
      for (let i = 0; i < 5; i++) expect((await client.query(`SELECT $1::int AS n${i}`, [i])).rows[0][`n${i}`]).toBe(i);
      expect((await prepared(client)).length).toBe(3);
      expect(names.size).toBe(3);
    } finally {
      client.release();
    }
  });

  it('a column whose type changed under a prepared statement fails it once, then it is prepared again', async () => {
    const client = await pool.connect();
    try {
      await client.query('CREATE TABLE widths (a int)');
      await client.query('INSERT INTO widths VALUES ($1)', [7]);
      const read = 'SELECT a FROM widths WHERE a = $1';
      expect((await client.query(read, [7])).rows).toEqual([{ a: 7 }]);
      await client.query('ALTER TABLE widths ALTER COLUMN a TYPE bigint');
      await expect(client.query(read, [7])).rejects.toMatchObject({ code: '0A000' });
      // Every text got a new name: this connection prepares it again, with the new shape.
      expect((await client.query(read, [7])).rows).toEqual([{ a: '7' }]);
    } finally {
      client.release();
    }
  });

  it('follows search_path: the same text reads the table of the schema in force', async () => {
    const client = await pool.connect();
    try {
      await client.query(`CREATE SCHEMA live; CREATE SCHEMA copy;
        CREATE TABLE live.models (id int, v text); CREATE TABLE copy.models (id int, v text);
        INSERT INTO live.models VALUES (1, 'live'); INSERT INTO copy.models VALUES (1, 'copy')`);
      const read = 'SELECT v FROM models WHERE id = $1';
      for (const schema of ['live', 'copy', 'live']) {
        await client.query(`BEGIN; SET LOCAL search_path TO ${schema}`);
        expect((await client.query(read, [1])).rows).toEqual([{ v: schema }]);
        await client.query('COMMIT');
      }
      // And a swap by renaming (how a rebuild replaces a read model) is followed too.
      await client.query('ALTER SCHEMA live RENAME TO old; ALTER SCHEMA copy RENAME TO live');
      await client.query('BEGIN; SET LOCAL search_path TO live');
      expect((await client.query(read, [1])).rows).toEqual([{ v: 'copy' }]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });
});
