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

type Statement = [sql: string, params: unknown[]];

const TEAM_TABLES = ['teams', 'team_members', 'team_repositories'];

/**
 * Each organization event as the statements that fold it. Every event of an organization is on its
 * one stream, applied in order, so each is a plain upsert or delete.
 */
const FOLDS: Record<string, (data: never, at: string) => Statement[]> = {
  [ORGANIZATION_EVENTS.OrganizationCreated]: (d: OrganizationCreatedV1, at) => [
    ['INSERT INTO organizations (name, email, created_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [d.organization, d.email, d.createdBy, at]],
  ],
  [ORGANIZATION_EVENTS.MemberRoleSet]: (d: OrganizationMemberRoleSetV1) => [
    [
      `INSERT INTO organization_members (organization, username, role) VALUES ($1, $2, $3)
       ON CONFLICT (organization, username) DO UPDATE SET role = excluded.role`,
      [d.organization, d.username, d.role],
    ],
  ],
  // Leaving the organization is leaving every team of it.
  [ORGANIZATION_EVENTS.MemberRemoved]: (d: OrganizationMemberRemovedV1) =>
    ['organization_members', 'team_members'].map((table) => [`DELETE FROM ${table} WHERE organization = $1 AND username = $2`, [d.organization, d.username]]),
  [ORGANIZATION_EVENTS.TeamPermissionSet]: (d: TeamPermissionSetV1) => [
    [
      `INSERT INTO teams (organization, team, permission) VALUES ($1, $2, $3)
       ON CONFLICT (organization, team) DO UPDATE SET permission = excluded.permission`,
      [d.organization, d.team, d.permission],
    ],
  ],
  [ORGANIZATION_EVENTS.TeamRemoved]: (d: TeamRemovedV1) =>
    TEAM_TABLES.map((table) => [`DELETE FROM ${table} WHERE organization = $1 AND team = $2`, [d.organization, d.team]]),
  [ORGANIZATION_EVENTS.TeamMemberAdded]: (d: TeamMemberV1) => [
    ['INSERT INTO team_members VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [d.organization, d.team, d.username]],
  ],
  [ORGANIZATION_EVENTS.TeamMemberRemoved]: (d: TeamMemberV1) => [
    ['DELETE FROM team_members WHERE (organization, team, username) = ($1, $2, $3)', [d.organization, d.team, d.username]],
  ],
  [ORGANIZATION_EVENTS.TeamRepositoryAdded]: (d: TeamRepositoryV1) => [
    ['INSERT INTO team_repositories VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [d.organization, d.team, d.repository]],
  ],
  [ORGANIZATION_EVENTS.TeamRepositoryRemoved]: (d: TeamRepositoryV1) => [
    ['DELETE FROM team_repositories WHERE (organization, team, repository) = ($1, $2, $3)', [d.organization, d.team, d.repository]],
  ],
};

/** Folds organization events into read.organizations and its member and team tables. */
export async function projectOrganization(client: PoolClient, event: PublishedEvent): Promise<void> {
  const fold = FOLDS[event.type];
  if (!fold) return;
  for (const [sql, params] of fold(event.data as never, event.metadata.occurredAt)) await client.query(sql, params);
}
