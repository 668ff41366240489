import { Pool } from 'pg';
import { TeamPermission } from '@dockyard/contracts';

export interface OrganizationView {
  name: string;
  members: { username: string; role: string }[];
  teams: { name: string; permission: TeamPermission; members: string[]; repositories: string[] }[];
}

const RANK: Record<TeamPermission, number> = { read: 1, write: 2, admin: 3 };

/** The stronger of two permissions (null is none). */
export const strongest = (a: TeamPermission | null, b: TeamPermission | null): TeamPermission | null =>
  a === null ? b : b === null ? a : RANK[a] >= RANK[b] ? a : b;

/** Whether `held` covers `needed` (admin covers write covers read). */
export const covers = (held: TeamPermission | null, needed: TeamPermission): boolean => held !== null && RANK[held] >= RANK[needed];

/**
 * What a signed-in user `$1` may read beyond public repositories, as a condition on a
 * read.repositories row `r`: its own namespace, an organization it owns, a repository one of its
 * teams holds. Used by search and the starred list, so they never show what detail would refuse.
 */
export const READABLE_BY_USER = `(r.is_public
  OR r.namespace = $1
  OR r.namespace IN (SELECT organization FROM read.organization_members WHERE username = $1 AND role = 'owner')
  OR EXISTS (SELECT 1 FROM read.team_members tm JOIN read.team_repositories tr USING (organization, team)
             WHERE tm.username = $1 AND tr.organization = r.namespace AND tr.repository = r.name))`;

/** Queries on the organizations read model (built by the projector from the accounts service's facts). */
export class OrganizationsReadModel {
  constructor(private readonly pool: Pool) {}

  /**
   * What `username` may do to `namespace/name` through an organization: an owner everything
   * (`admin`), a team member its teams' strongest permission on that repository; null otherwise.
   */
  async permission(username: string, namespace: string, name: string): Promise<TeamPermission | null> {
    const { rows } = await this.pool.query(
      `SELECT 'admin' AS permission FROM read.organization_members WHERE organization = $2 AND username = $1 AND role = 'owner'
       UNION ALL
       SELECT t.permission FROM read.team_members tm
         JOIN read.team_repositories tr USING (organization, team)
         JOIN read.teams t USING (organization, team)
        WHERE tm.username = $1 AND tm.organization = $2 AND tr.repository = $3`,
      [username, namespace, name],
    );
    return rows.reduce<TeamPermission | null>((best, row) => strongest(best, row.permission), null);
  }

  async role(username: string, organization: string): Promise<string | null> {
    const { rows } = await this.pool.query(
      'SELECT role FROM read.organization_members WHERE organization = $1 AND username = $2',
      [organization, username],
    );
    return rows[0]?.role ?? null;
  }

  async isOrganization(name: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM read.organizations WHERE name = $1', [name])).rowCount !== 0;
  }

  async find(organization: string): Promise<OrganizationView | undefined> {
    if (!(await this.isOrganization(organization))) return undefined;
    const [members, teams, teamMembers, teamRepositories] = await Promise.all([
      this.pool.query('SELECT username, role FROM read.organization_members WHERE organization = $1 ORDER BY username', [organization]),
      this.pool.query('SELECT team, permission FROM read.teams WHERE organization = $1 ORDER BY team', [organization]),
      this.pool.query('SELECT team, username FROM read.team_members WHERE organization = $1 ORDER BY username', [organization]),
      this.pool.query('SELECT team, repository FROM read.team_repositories WHERE organization = $1 ORDER BY repository', [organization]),
    ]);
    return {
      name: organization,
      members: members.rows.map((row) => ({ username: row.username, role: row.role })),
      teams: teams.rows.map((row) => ({
        name: row.team,
        permission: row.permission,
        members: teamMembers.rows.filter((m) => m.team === row.team).map((m) => m.username),
        repositories: teamRepositories.rows.filter((m) => m.team === row.team).map((m) => m.repository),
      })),
    };
  }
}
