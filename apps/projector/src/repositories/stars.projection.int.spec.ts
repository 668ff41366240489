import { Pool } from 'pg';
import {
  PublishedEvent,
  READ_SCHEMA,
  REPOSITORIES_EVENTS,
  repositoryStreamId,
  starStreamId,
} from '@dockyard/contracts';
import { runMigrations } from '@dockyard/eventstore';
import { createTestDatabase } from '../../../../libs/testing/src';
import { READ_MODEL_MIGRATIONS } from '../read-models';
import { projectRepository } from './repositories.projection';

/**
 * A star is its own stream, so on another partition than its repository's creation and deletion:
 * the projector may fold the three in any order. The star must count whenever its repository is
 * live at the end, and leave nothing behind otherwise.
 */
describe('stars in any order against their repository', () => {
  let pool: Pool;
  let n = 0;

  beforeAll(async () => {
    const url = await createTestDatabase('stars');
    await runMigrations(url, READ_SCHEMA, READ_MODEL_MIGRATIONS);
    pool = new Pool({ connectionString: url });
  });
  afterAll(async () => {
    await pool.end();
  });

  const scenario = () => {
    n++;
    const life = {
      repositoryId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      namespace: 'alice',
      name: `starred${n}`,
    };
    const event = (streamId: string, position: number, type: string, data: Record<string, unknown>) =>
      ({
        streamId,
        streamVersion: 1,
        position: String(n * 10 + position),
        type,
        data,
        metadata: {
          correlationId: 'c',
          actor: 'system:test',
          occurredAt: new Date(1700000000000 + position).toISOString(),
        },
      }) as unknown as PublishedEvent;
    return {
      life,
      created: event(repositoryStreamId(life.repositoryId), 1, REPOSITORIES_EVENTS.RepositoryCreated, {
        ...life,
        kind: 'user',
        createdBy: 'alice',
        description: '',
        fullDescription: '',
        isPublic: true,
        logo: '',
      }),
      starred: event(starStreamId(life.repositoryId, 'bob'), 2, REPOSITORIES_EVENTS.RepositoryStarred, {
        ...life,
        username: 'bob',
      }),
      unstarred: event(starStreamId(life.repositoryId, 'bob'), 3, REPOSITORIES_EVENTS.RepositoryUnstarred, {
        ...life,
        username: 'bob',
      }),
      deleted: event(repositoryStreamId(life.repositoryId), 4, REPOSITORIES_EVENTS.RepositoryDeleted, {
        ...life,
      }),
    };
  };

  const fold = async (events: PublishedEvent[]) => {
    const client = await pool.connect();
    try {
      await client.query(`SET search_path TO ${READ_SCHEMA}`);
      for (const event of events) await projectRepository(client, event);
    } finally {
      client.release();
    }
  };

  const state = async (repositoryId: string) => ({
    starCount:
      (await pool.query('SELECT star_count FROM read.repositories WHERE repository_id = $1', [repositoryId]))
        .rows[0]?.star_count ?? null,
    stars: Number(
      (await pool.query('SELECT count(*) FROM read.stars WHERE repository_id = $1', [repositoryId])).rows[0]
        .count,
    ),
  });

  it('a star folded before its repository is created counts once the repository is', async () => {
    const s = scenario();
    await fold([s.starred, s.created]);
    expect(await state(s.life.repositoryId)).toEqual({ starCount: 1, stars: 1 });
  });

  it('a star folded before its repository, then taken back: none left, the count back to 0', async () => {
    const s = scenario();
    await fold([s.starred, s.created, s.unstarred]);
    expect(await state(s.life.repositoryId)).toEqual({ starCount: 0, stars: 0 });
  });

  it.each([
    ['star, created, deleted', ['starred', 'created', 'deleted']],
    ['star, deleted, created', ['starred', 'deleted', 'created']],
    ['deleted, star, created', ['deleted', 'starred', 'created']],
    ['created, deleted, star', ['created', 'deleted', 'starred']],
  ] as const)('a deleted repository keeps no star: %s', async (_order, order) => {
    const s = scenario();
    await fold(order.map((name) => s[name]));
    expect(await state(s.life.repositoryId)).toEqual({ starCount: null, stars: 0 });
  });
});
