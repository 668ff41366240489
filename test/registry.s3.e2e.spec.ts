import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRegistryApi } from './registry.e2e-cases';
import { startStandaloneHub } from './support/hubs';

// The registry suite once more with layers in an S3-compatible bucket (s3rver, started here).
const S3rver = require('s3rver');
let server: { run(): Promise<{ port: number }>; close(): Promise<void> };

describeRegistryApi('standalone, layers in S3 (s3rver)', async () => {
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: mkdtempSync(join(tmpdir(), 's3-hub-')), configureBuckets: [{ name: 'hub-layers' }] });
  const { port } = await server.run();
  const hub = await startStandaloneHub({
    requireConfirmation: false,
    env: {
      DOCKYARD_S3_BUCKET: 'hub-layers',
      DOCKYARD_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      DOCKYARD_S3_ACCESS_KEY_ID: 'S3RVER',
      DOCKYARD_S3_SECRET_ACCESS_KEY: 'S3RVER',
    },
  });
  return {
    ...hub,
    stop: async () => {
      await hub.stop();
      // the layers went to the bucket, none to the disk
      const { S3Client, ListObjectsV2Command } = require('@aws-sdk/client-s3');
      const client = new S3Client({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      const { Contents = [] } = await client.send(new ListObjectsV2Command({ Bucket: 'hub-layers' }));
      await server.close();
      expect((Contents as { Key: string }[]).filter((c) => c.Key.startsWith('sha256/')).length).toBeGreaterThan(5);
      expect((Contents as { Key: string }[]).filter((c) => c.Key.startsWith('uploads/'))).toEqual([]);
      expect(existsSync(join(hub.dataDir, 'blobs'))).toBe(false);
    },
  };
});
