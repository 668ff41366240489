import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A fresh, empty database on the run's PostgreSQL; returns its URL. */
export async function createTestDatabase(label = 't'): Promise<string> {
  const adminUrl = process.env.DOCKYARD_TEST_PG_URL;
  if (!adminUrl) throw new Error('DOCKYARD_TEST_PG_URL is not set: run through jest (global setup)');
  const name = `${label.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(5).toString('hex')}`;
  const admin = new Client(adminUrl);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Kafka brokers for integration tests (scripts/test.sh starts one). */
export const testKafkaBrokers = (): string[] => (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** A topic prefix no other suite uses, so suites share one broker without seeing each other. */
export const uniqueTopicPrefix = (label = 'test'): string => `${label}-${randomBytes(4).toString('hex')}`;
