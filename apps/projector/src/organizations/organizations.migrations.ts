import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organizations, their members and teams, as the gateway decides access from them. Team
 * repositories are names inside the organization's namespace (the accounts service, which owns
 * organizations, does not own repositories).
 */
export class CreateOrganizations1732400030100 implements MigrationInterface {
  name = 'CreateOrganizations1732400030100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read.organizations (
      name text PRIMARY KEY,
      email text NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL)`);
    await queryRunner.query(`CREATE TABLE read.organization_members (
      organization text NOT NULL,
      username text NOT NULL,
      role text NOT NULL,
      PRIMARY KEY (organization, username))`);
    await queryRunner.query(`CREATE INDEX organization_members_by_user ON read.organization_members (username)`);
    await queryRunner.query(`CREATE TABLE read.teams (
      organization text NOT NULL,
      team text NOT NULL,
      permission text NOT NULL,
      PRIMARY KEY (organization, team))`);
    await queryRunner.query(`CREATE TABLE read.team_members (
      organization text NOT NULL,
      team text NOT NULL,
      username text NOT NULL,
      PRIMARY KEY (organization, team, username))`);
    await queryRunner.query(`CREATE INDEX team_members_by_user ON read.team_members (username)`);
    await queryRunner.query(`CREATE TABLE read.team_repositories (
      organization text NOT NULL,
      team text NOT NULL,
      repository text NOT NULL,
      PRIMARY KEY (organization, team, repository))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP TABLE read.team_repositories, read.team_members, read.teams, read.organization_members, read.organizations`,
    );
  }
}
