import { MigrationInterface, QueryRunner } from 'typeorm';

/** Image json, layer and checksum per image id (the registry's read side). */
export class CreateImageMetadata1732400007000 implements MigrationInterface {
  name = 'CreateImageMetadata1732400007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read.images (
      image_id text PRIMARY KEY,
      parent text,
      json text NOT NULL,
      blob_key text,
      size bigint,
      checksum text,
      payload_checksum text,
      complete boolean NOT NULL DEFAULT false)`);
    // Which repositories hold an image: registry reads are authorised through them.
    await queryRunner.query(`CREATE INDEX repository_images_by_image ON read.repository_images (image_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX read.repository_images_by_image`);
    await queryRunner.query(`DROP TABLE read.images`);
  }
}

/**
 * Images belong to a namespace: read.images is keyed by (namespace, image_id), each namespace's
 * copy its own row; `stored_at` (position of the first json) orders copies for reads without a
 * repository context. There is no production data yet: the old global rows and their checkpoints
 * are dropped (old `image-<id>` streams carry no namespace and are ignored by the projection).
 */
export class ImagesByNamespace1732400013000 implements MigrationInterface {
  name = 'ImagesByNamespace1732400013000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read.images`);
    await queryRunner.query(`DELETE FROM read.consumer_checkpoints WHERE consumer = 'image-metadata'`);
    await queryRunner.query(`CREATE TABLE read.images (
      namespace text NOT NULL,
      image_id text NOT NULL,
      parent text,
      json text NOT NULL,
      blob_key text,
      size bigint,
      checksum text,
      payload_checksum text,
      complete boolean NOT NULL DEFAULT false,
      source_namespace text,
      stored_at bigint NOT NULL,
      PRIMARY KEY (namespace, image_id))`);
    await queryRunner.query(`CREATE INDEX images_by_id ON read.images (image_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read.images`);
    await queryRunner.query(`CREATE TABLE read.images (
      image_id text PRIMARY KEY, parent text, json text NOT NULL, blob_key text, size bigint, checksum text,
      payload_checksum text, complete boolean NOT NULL DEFAULT false)`);
  }
}
