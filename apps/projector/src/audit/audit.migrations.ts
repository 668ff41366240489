import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit read model (audit.projection.ts): one row per published event and per audited activity,
 * numbered by a gap-free feed position (`seq`, assigned under the single `audit_feed_head` row, so
 * positions become visible in order) with the feed's running hash; an index table per repository
 * name (every life of a name, and the images pushed into it), and per-repository facts the entries
 * are linked and enriched by (`before` values).
 */
export class CreateAuditReadModel1732400030300 implements MigrationInterface {
  name = 'CreateAuditReadModel1732400030300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read.audit_entries (
      seq bigint PRIMARY KEY,
      time timestamptz NOT NULL,
      type text NOT NULL,
      actor text,
      source_ip text,
      user_agent text,
      request_id text,
      repository_id text,
      service text NOT NULL,
      stream text,
      version integer,
      data jsonb NOT NULL,
      hash text NOT NULL,
      prev_hash text,
      username text,
      image_ref text,
      activity_id text UNIQUE,
      feed_hash text NOT NULL)`);
    await queryRunner.query(`CREATE UNIQUE INDEX audit_entries_stream_version ON read.audit_entries (stream, version) WHERE stream IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX audit_entries_username ON read.audit_entries (username, seq) WHERE username IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX audit_entries_actor ON read.audit_entries (actor, seq)`);
    await queryRunner.query(`CREATE INDEX audit_entries_type ON read.audit_entries (type, seq)`);
    await queryRunner.query(`CREATE INDEX audit_entries_repository_id ON read.audit_entries (repository_id) WHERE repository_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX audit_entries_image_ref ON read.audit_entries (image_ref) WHERE image_ref IS NOT NULL`);
    await queryRunner.query(`CREATE TABLE read.audit_repository_entries (
      repository text NOT NULL,
      seq bigint NOT NULL,
      PRIMARY KEY (repository, seq))`);
    await queryRunner.query(`CREATE TABLE read.audit_repositories (
      repository_id text PRIMARY KEY,
      repository text,
      metadata jsonb,
      tags jsonb NOT NULL DEFAULT '{}',
      deleted boolean NOT NULL DEFAULT false,
      created_at timestamptz)`);
    await queryRunner.query(`CREATE INDEX audit_repositories_name ON read.audit_repositories (repository, created_at)`);
    await queryRunner.query(`CREATE TABLE read.audit_repository_images (
      repository_id text NOT NULL,
      image_id text NOT NULL,
      PRIMARY KEY (repository_id, image_id))`);
    await queryRunner.query(`CREATE INDEX audit_repository_images_image ON read.audit_repository_images (image_id)`);
    await queryRunner.query(`CREATE TABLE read.audit_feed_head (
      id smallint PRIMARY KEY CHECK (id = 1),
      seq bigint NOT NULL,
      feed_hash text NOT NULL)`);
    await queryRunner.query(`INSERT INTO read.audit_feed_head (id, seq, feed_hash) VALUES (1, 0, repeat('0', 64))`);
    await queryRunner.query(`CREATE TABLE read.audit_signing_key (
      id smallint PRIMARY KEY CHECK (id = 1),
      private_key text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_signing_key', 'audit_feed_head', 'audit_repository_images', 'audit_repositories', 'audit_repository_entries', 'audit_entries']) {
      await queryRunner.query(`DROP TABLE read.${table}`);
    }
  }
}

/**
 * `read.audit_repository_entries.link_seq`: where a link entered a name's history. A repository
 * history pages on it, not on the entry's feed position: an entry linked late (an image's earlier
 * entries when a repository first lists the image, a new life's earlier entries at its creation)
 * keeps its old, lower position, and a reader resuming after a cursor used to miss it (found in
 * review). Every link is written after its transaction took the feed head's lock, so the sequence
 * hands out positions in commit order: a reader never sees a higher one before a lower one commits.
 * Existing links keep their entry's position (a cursor read before stays valid); new ones follow.
 */
export class AuditLinkPositions1732400030700 implements MigrationInterface {
  name = 'AuditLinkPositions1732400030700';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE read.audit_link_seq`);
    await queryRunner.query(`ALTER TABLE read.audit_repository_entries ADD COLUMN link_seq bigint`);
    await queryRunner.query(`UPDATE read.audit_repository_entries SET link_seq = seq`);
    await queryRunner.query(
      `SELECT setval('read.audit_link_seq', GREATEST(1, (SELECT seq FROM read.audit_feed_head WHERE id = 1), (SELECT max(seq) FROM read.audit_repository_entries)))`,
    );
    await queryRunner.query(
      `ALTER TABLE read.audit_repository_entries ALTER COLUMN link_seq SET DEFAULT nextval('read.audit_link_seq'), ALTER COLUMN link_seq SET NOT NULL`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX audit_repository_entries_links ON read.audit_repository_entries (repository, link_seq)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE read.audit_repository_entries DROP COLUMN link_seq`);
    await queryRunner.query(`DROP SEQUENCE read.audit_link_seq`);
  }
}
