import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Repository detail and lists, image lists and tags. A deleted repository's rows go away and a
 * tombstone stays, so image events that arrive after the deletion (another topic) are ignored.
 */
export class CreateRepositoryReadModels1732400006000 implements MigrationInterface {
  name = 'CreateRepositoryReadModels1732400006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read.repositories (
      repository_id uuid PRIMARY KEY,
      namespace text NOT NULL,
      name text NOT NULL,
      kind text NOT NULL,
      created_by text NOT NULL,
      description text NOT NULL,
      full_description text NOT NULL,
      is_public boolean NOT NULL,
      logo text NOT NULL,
      star_count int NOT NULL DEFAULT 0,
      download_count bigint NOT NULL DEFAULT 0,
      upload_count bigint NOT NULL DEFAULT 0,
      pulled_at timestamptz,
      pushed_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL)`);
    await queryRunner.query(`CREATE UNIQUE INDEX repositories_by_name ON read.repositories (namespace, name)`);
    await queryRunner.query(`CREATE TABLE read.deleted_repositories (repository_id uuid PRIMARY KEY, deleted_at timestamptz NOT NULL)`);
    await queryRunner.query(`CREATE TABLE read.repository_images (
      repository_id uuid NOT NULL,
      image_id text NOT NULL,
      checksum text NOT NULL,
      added_at bigint NOT NULL,
      PRIMARY KEY (repository_id, image_id))`);
    await queryRunner.query(`CREATE TABLE read.tags (
      repository_id uuid NOT NULL,
      tag text NOT NULL,
      image_id text NOT NULL,
      PRIMARY KEY (repository_id, tag))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read.tags, read.repository_images, read.deleted_repositories, read.repositories`);
  }
}
