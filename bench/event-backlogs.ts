import { createHash, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  ACCOUNTS_EVENTS,
  IMAGES_EVENTS,
  REPOSITORIES_EVENTS,
  TOKENS_EVENTS,
  repositoryImagesStreamId,
  repositoryStreamId,
  tokenStreamId,
  userStreamId,
} from '@dockyard/contracts';
import { EventStore } from '@dockyard/eventstore';

/**
 * Appends `count` UserRegistered straight into the accounts store (as registrations would, without
 * the HTTP cost), 200 at a time, for benches that need a backlog of events to fold.
 */
export async function appendRegistrations(pool: Pool, prefix: string, count: number): Promise<void> {
  const store = new EventStore(pool, 'accounts');
  const metadata = { correlationId: `bench-${prefix}`, actor: 'system:bench' };
  for (let n = 0; n < count; n += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - n) }, (_, i) => {
        const username = `${prefix}_${n + i}`;
        return store.append(
          userStreamId(username),
          0,
          [
            {
              type: ACCOUNTS_EVENTS.UserRegistered,
              data: { username, email: `${username}@example.com`, active: true },
            },
          ],
          metadata,
        );
      }),
    );
  }
}

/**
 * Appends `count` TokenIssued straight into the tokens store, each version 1 of its token's own
 * stream as the tokens service records the grants a gateway signed (one per pull with a token).
 */
export async function appendTokensIssued(
  pool: Pool,
  prefix: string,
  count: number,
  repositoryId: string,
): Promise<void> {
  const store = new EventStore(pool, 'tokens');
  const metadata = { correlationId: `bench-${prefix}`, actor: 'anonymous' };
  const expiresAt = new Date(Date.now() + 3600_000).toISOString();
  for (let n = 0; n < count; n += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - n) }, (_, i) => {
        const tokenId = `${prefix}-${n + i}`;
        return store.append(
          tokenStreamId(tokenId),
          0,
          [
            {
              type: TOKENS_EVENTS.TokenIssued,
              data: {
                tokenId,
                repository: 'bench/app',
                repositoryId,
                access: 'read',
                username: null,
                expiresAt,
              },
            },
          ],
          metadata,
        );
      }),
    );
  }
}

/**
 * Appends `count` repositories as pushes leave them, straight into the stores: `RepositoryCreated`
 * in the repositories store, then `ImagesAdded` (3 images) and `TagSet` on the repository's images
 * stream in the images store. Three events a repository.
 */
export async function appendRepositories(pool: Pool, prefix: string, count: number): Promise<void> {
  const repositories = new EventStore(pool, 'repositories');
  const images = new EventStore(pool, 'images');
  const metadata = { correlationId: `bench-${prefix}`, actor: prefix };
  const imageId = (n: number, i: number) => createHash('sha256').update(`${prefix}-${n}-${i}`).digest('hex');
  for (let n = 0; n < count; n += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - n) }, async (_, i) => {
        const repositoryId = randomUUID();
        const name = `${prefix}-${n + i}`;
        await repositories.append(
          repositoryStreamId(repositoryId),
          0,
          [
            {
              type: REPOSITORIES_EVENTS.RepositoryCreated,
              data: {
                repositoryId,
                namespace: prefix,
                name,
                kind: 'user',
                createdBy: prefix,
                description: '',
                fullDescription: '',
                isPublic: true,
                logo: '',
              },
            },
          ],
          metadata,
        );
        const list = [0, 1, 2].map((k) => ({
          id: imageId(n + i, k),
          checksum: `sha256:${imageId(n + i, k)}`,
        }));
        await images.append(
          repositoryImagesStreamId(repositoryId),
          0,
          [
            { type: IMAGES_EVENTS.ImagesAdded, data: { repositoryId, images: list } },
            { type: IMAGES_EVENTS.TagSet, data: { repositoryId, tag: 'latest', imageId: list[2].id } },
          ],
          metadata,
        );
      }),
    );
  }
}
