import { PoolClient } from 'pg';
import {
  ORGANIZATION_EVENTS,
  OrganizationCreatedV1,
  OrganizationMemberRemovedV1,
  OrganizationMemberRoleSetV1,
  PublishedEvent,
  TeamMemberV1,
  TeamPermissionSetV1,
  TeamRemovedV1,
  TeamRepositoryV1,
} from '@dockyard/contracts';

/**
 * Folds organization events into read.organizations and its member and team tables. Every event
 * of an organization is on its one stream, applied in order, so each is a plain upsert or delete.
 */
export async function projectOrganization(client: PoolClient, event: PublishedEvent): Promise<void> {
  switch (event.type) {
    case ORGANIZATION_EVENTS.OrganizationCreated: {
      const d = event.data as unknown as OrganizationCreatedV1;
      await client.query(
        'INSERT INTO read.organizations (name, email, created_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [d.organization, d.email, d.createdBy, event.metadata.occurredAt],
      );
      return;
    }
    case ORGANIZATION_EVENTS.MemberRoleSet: {
      const d = event.data as unknown as OrganizationMemberRoleSetV1;
      await client.query(
        `INSERT INTO read.organization_members (organization, username, role) VALUES ($1, $2, $3)
         ON CONFLICT (organization, username) DO UPDATE SET role = excluded.role`,
        [d.organization, d.username, d.role],
      );
      return;
    }
    case ORGANIZATION_EVENTS.MemberRemoved: {
      const d = event.data as unknown as OrganizationMemberRemovedV1;
      await client.query('DELETE FROM read.organization_members WHERE organization = $1 AND username = $2', [d.organization, d.username]);
      await client.query('DELETE FROM read.team_members WHERE organization = $1 AND username = $2', [d.organization, d.username]);
      return;
    }
    case ORGANIZATION_EVENTS.TeamPermissionSet: {
      const d = event.data as unknown as TeamPermissionSetV1;
      await client.query(
        `INSERT INTO read.teams (organization, team, permission) VALUES ($1, $2, $3)
         ON CONFLICT (organization, team) DO UPDATE SET permission = excluded.permission`,
        [d.organization, d.team, d.permission],
      );
      return;
    }
    case ORGANIZATION_EVENTS.TeamRemoved: {
      const d = event.data as unknown as TeamRemovedV1;
      for (const table of ['teams', 'team_members', 'team_repositories']) {
        await client.query(`DELETE FROM read.${table} WHERE organization = $1 AND team = $2`, [d.organization, d.team]);
      }
      return;
    }
    case ORGANIZATION_EVENTS.TeamMemberAdded: {
      const d = event.data as unknown as TeamMemberV1;
      await client.query('INSERT INTO read.team_members VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [d.organization, d.team, d.username]);
      return;
    }
    case ORGANIZATION_EVENTS.TeamMemberRemoved: {
      const d = event.data as unknown as TeamMemberV1;
      await client.query('DELETE FROM read.team_members WHERE organization = $1 AND team = $2 AND username = $3', [
        d.organization,
        d.team,
        d.username,
      ]);
      return;
    }
    case ORGANIZATION_EVENTS.TeamRepositoryAdded: {
      const d = event.data as unknown as TeamRepositoryV1;
      await client.query('INSERT INTO read.team_repositories VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        d.organization,
        d.team,
        d.repository,
      ]);
      return;
    }
    case ORGANIZATION_EVENTS.TeamRepositoryRemoved: {
      const d = event.data as unknown as TeamRepositoryV1;
      await client.query('DELETE FROM read.team_repositories WHERE organization = $1 AND team = $2 AND repository = $3', [
        d.organization,
        d.team,
        d.repository,
      ]);
      return;
    }
    default:
      return;
  }
}
