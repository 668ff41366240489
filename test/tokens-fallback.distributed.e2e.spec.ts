import { Client } from 'pg';
import { DockerIndexClient } from './support/docker-index-client';
import { DockerRegistryClient } from './support/docker-registry-client';
import { TestHub, startDistributedHub } from './support/hubs';
import { http } from './support/http';
import { imageChain } from './support/layers';

/**
 * A distributed hub whose apps were given no DOCKYARD_TOKEN_KEY: the gateway signs and checks no
 * token itself and asks the tokens service for every one (`tokens.issue`, `tokens.validate`), which
 * appends each user's TokenIssued before the index call answers.
 */
describe('tokens without a master key (distributed: the tokens service issues and validates)', () => {
  let hub: TestHub;
  const kidOf = (token: string) =>
    JSON.parse(Buffer.from(/^signature=([^.]+)\./.exec(token)![1], 'base64url').toString('utf8')).kid as string;

  beforeAll(async () => {
    hub = await startDistributedHub({ requireConfirmation: false, env: { DOCKYARD_TOKEN_KEY: '' } });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('a push and a pull work with the tokens service’s tokens; a user token’s TokenIssued is stored when the index call answers', async () => {
    const url = hub.urls[0];
    expect((await http(url, 'POST', '/v1/users/', { body: { username: 'fall_001', password: 'secret1', email: 'f@example.com' } })).status).toBe(201);
    const client = new DockerIndexClient(url, { username: 'fall_001', password: 'secret1' });
    const images = await imageChain('fallback', [{ 'a.txt': 'a' }]);
    const created = await client.createRepository('fall_001/web', [{ id: images[0].id, Tag: 'latest' }]);
    expect(created.status).toBe(200);
    const writeToken = created.headers.get('x-docker-token')!;
    expect(await new DockerRegistryClient(url, writeToken).pushImage(images[0])).toBe('pushed');
    expect((await client.putTag('fall_001/web', 'latest', images[0].id, writeToken)).status).toBe(200);

    const pulled = await client.getImages('fall_001/web');
    expect(pulled.status).toBe(200);
    const readToken = pulled.headers.get('x-docker-token')!;
    // Synchronous audit: no waiting, the tokens service appended it before answering.
    const db = new Client(hub.databaseUrl);
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT data FROM tokens.events WHERE type = 'TokenIssued' AND data->>'access' = 'read'`);
      expect(rows.map((row) => row.data.username)).toEqual(['fall_001']);
      expect(rows[0].data.kid).toBe(kidOf(readToken));
    } finally {
      await db.end();
    }
    expect((await new DockerRegistryClient(url, readToken).pull('fall_001/web', 'latest')).size).toBe(1);
    // A token the gateway could have signed under some master key is still refused: the tokens service has its own.
    const forged = readToken.replace(/\.[A-Za-z0-9_-]+,/, '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,');
    expect((await http(url, 'GET', '/v1/repositories/fall_001/web/tags', { headers: { Authorization: `Token ${forged}` } })).status).toBe(403);
  });
});
