import { ORGANIZATION_EVENTS, OrganizationRole, TeamPermission } from '@dockyard/contracts';
import { OrganizationEvent } from './organization.events';

export interface Team {
  permission: TeamPermission;
  members: string[];
  /** Repository names inside the organization's namespace. */
  repositories: string[];
}

export interface OrganizationState {
  exists: boolean;
  name: string;
  members: Record<string, OrganizationRole>;
  teams: Record<string, Team>;
}

export const initialOrganizationState = (): OrganizationState => ({ exists: false, name: '', members: {}, teams: {} });

/**
 * Members and teams are keyed by names users choose, and `constructor`, `toString` or `__proto__`
 * are valid user and team names: a plain `record[name]` would find Object.prototype's members
 * there. Every lookup goes through these two, which see only the organization's own entries.
 */
export const roleOf = (state: OrganizationState, username: string): OrganizationRole | undefined =>
  Object.hasOwn(state.members, username) ? state.members[username] : undefined;

export const teamOf = (state: OrganizationState, team: string): Team | undefined =>
  Object.hasOwn(state.teams, team) ? state.teams[team] : undefined;

const without = (list: string[], item: string) => list.filter((x) => x !== item);

/** Changes one team (which exists: decide only records events about existing teams). */
const withTeam = (state: OrganizationState, team: string, change: (t: Team) => Team): OrganizationState => ({
  ...state,
  teams: { ...state.teams, [team]: change(teamOf(state, team)!) },
});

export function evolveOrganization(state: OrganizationState, event: OrganizationEvent): OrganizationState {
  switch (event.type) {
    case ORGANIZATION_EVENTS.OrganizationCreated:
      return { ...state, exists: true, name: event.data.organization };
    case ORGANIZATION_EVENTS.MemberRoleSet:
      return { ...state, members: { ...state.members, [event.data.username]: event.data.role } };
    case ORGANIZATION_EVENTS.MemberRemoved: {
      const { [event.data.username]: _removed, ...members } = state.members;
      const teams = Object.fromEntries(
        Object.entries(state.teams).map(([name, team]) => [name, { ...team, members: without(team.members, event.data.username) }]),
      );
      return { ...state, members, teams };
    }
    case ORGANIZATION_EVENTS.TeamPermissionSet: {
      const team = teamOf(state, event.data.team) ?? { permission: event.data.permission, members: [], repositories: [] };
      return { ...state, teams: { ...state.teams, [event.data.team]: { ...team, permission: event.data.permission } } };
    }
    case ORGANIZATION_EVENTS.TeamRemoved: {
      const { [event.data.team]: _removed, ...teams } = state.teams;
      return { ...state, teams };
    }
    case ORGANIZATION_EVENTS.TeamMemberAdded:
      return withTeam(state, event.data.team, (t) => ({ ...t, members: [...t.members, event.data.username] }));
    case ORGANIZATION_EVENTS.TeamMemberRemoved:
      return withTeam(state, event.data.team, (t) => ({ ...t, members: without(t.members, event.data.username) }));
    case ORGANIZATION_EVENTS.TeamRepositoryAdded:
      return withTeam(state, event.data.team, (t) => ({ ...t, repositories: [...t.repositories, event.data.repository] }));
    case ORGANIZATION_EVENTS.TeamRepositoryRemoved:
      return withTeam(state, event.data.team, (t) => ({ ...t, repositories: without(t.repositories, event.data.repository) }));
  }
}

export const foldOrganization = (events: OrganizationEvent[]): OrganizationState =>
  events.reduce(evolveOrganization, initialOrganizationState());
