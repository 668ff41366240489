import { Pool } from 'pg';
import { READ_SCHEMA } from '@dockyard/contracts';
import { runMigrations } from '@dockyard/eventstore';
import { createTestDatabase } from '../../../../libs/testing/src';
import { ImagesReadModel } from './images.read-model';

const id = (c: string) => c.repeat(64);

/**
 * Parent chains on real PostgreSQL: a cycle two jsons could still store at the same instant (the
 * json route refuses one closed by a single write) must not make `ancestry` repeat itself.
 */
describe('images read model: parent chains (real PostgreSQL)', () => {
  let pool: Pool;
  let images: ImagesReadModel;

  beforeAll(async () => {
    const url = await createTestDatabase('chains');
    await runMigrations(url, READ_SCHEMA);
    pool = new Pool({ connectionString: url, max: 2 });
    // Only the columns the chain queries read.
    await pool.query('CREATE TABLE read.images (namespace text, image_id text, parent text, PRIMARY KEY (namespace, image_id))');
    // ns: a → b → c → a (a cycle); d → e (e's parent never stored).
    await pool.query(
      `INSERT INTO read.images VALUES ('ns', $1, $2), ('ns', $2, $3), ('ns', $3, $1), ('ns', $4, $5)`,
      [id('a'), id('b'), id('c'), id('d'), id('e')],
    );
    images = new ImagesReadModel(pool);
  });
  afterAll(async () => {
    await pool?.end();
  });

  it('ancestry stops at the first id it has seen: a finite list, each id once (found in review: 1,001 ids)', async () => {
    expect(await images.ancestry('ns', id('a'))).toEqual([id('a'), id('b'), id('c')]);
    expect(await images.ancestry('ns', id('d'))).toEqual([id('d')]);
  });

  it('chainReaches sees a target as an image of the chain or as the parent it ends on', async () => {
    expect(await images.chainReaches('ns', id('d'), id('e'))).toBe(true);
    expect(await images.chainReaches('ns', id('a'), id('c'))).toBe(true);
    expect(await images.chainReaches('ns', id('d'), id('a'))).toBe(false);
    expect(await images.chainReaches('other', id('a'), id('c'))).toBe(false);
  });
});
