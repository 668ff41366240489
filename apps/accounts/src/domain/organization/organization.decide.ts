import { Actor, DomainError, ORGANIZATION_EVENTS, OrganizationChange } from '@dockyard/contracts';
import { Email } from '../user/email';
import { Username } from '../user/username';
import { OrganizationEvent } from './organization.events';
import { OrganizationState, Team, roleOf, teamOf } from './organization.state';
import { teamName, teamRepositoryName } from './team-name';

const ROLES = new Set(['owner', 'member']);
const PERMISSIONS = new Set(['read', 'write', 'admin']);

/**
 * Creates an organization: a namespace like a user's (the same name rules, reserved names
 * refused), whose creator is its first owner. Whether the name is free across users and
 * organizations is the store's claim (one table for both), checked in the append's transaction.
 */
export function createOrganization(
  state: OrganizationState,
  command: { name: Username; email: Email; creator: string },
): OrganizationEvent[] {
  if (state.exists) throw new DomainError('invalid', `The name ${command.name.value} is taken`);
  const organization = command.name.value;
  return [
    { type: ORGANIZATION_EVENTS.OrganizationCreated, data: { organization, email: command.email.value, createdBy: command.creator } },
    { type: ORGANIZATION_EVENTS.MemberRoleSet, data: { organization, username: command.creator, role: 'owner' } },
  ];
}

const owners = (state: OrganizationState) => Object.entries(state.members).filter(([, role]) => role === 'owner');

/** Only owners (and hub admins) change an organization; a member is refused, an outsider is not told it exists. */
function mustBeOwner(state: OrganizationState, actor: Actor): void {
  if (!state.exists) throw new DomainError('not-found', 'Organization not found');
  if (actor.admin || roleOf(state, actor.username) === 'owner') return;
  if (roleOf(state, actor.username)) throw new DomainError('forbidden', 'Only owners may change the organization');
  throw new DomainError('not-found', 'Organization not found');
}

function mustBeTeam(state: OrganizationState, team: string): Team {
  const found = teamOf(state, teamName(team));
  if (!found) throw new DomainError('not-found', 'Team not found');
  return found;
}

/**
 * One change by an owner. Idempotent: a change that is so already records nothing. `isUser` says
 * whether a username names a user account (the store knows; an organization is no user).
 */
export function changeOrganization(
  state: OrganizationState,
  actor: Actor,
  change: OrganizationChange,
  isUser: (username: string) => boolean,
): OrganizationEvent[] {
  mustBeOwner(state, actor);
  const organization = state.name;
  const mustBeUser = (username: string) => {
    if (!isUser(username)) throw new DomainError('invalid', `No user ${username}`);
  };
  switch (change.kind) {
    case 'set-member': {
      if (!ROLES.has(change.role)) throw new DomainError('invalid', 'role must be owner or member');
      if (roleOf(state, change.username) === change.role) return [];
      mustBeUser(change.username);
      if (roleOf(state, change.username) === 'owner' && owners(state).length === 1) {
        throw new DomainError('invalid', 'The last owner cannot stop being an owner');
      }
      return [{ type: ORGANIZATION_EVENTS.MemberRoleSet, data: { organization, username: change.username, role: change.role } }];
    }
    case 'remove-member': {
      const role = roleOf(state, change.username);
      if (!role) return [];
      if (role === 'owner' && owners(state).length === 1) {
        throw new DomainError('invalid', 'The last owner cannot be removed');
      }
      return [{ type: ORGANIZATION_EVENTS.MemberRemoved, data: { organization, username: change.username } }];
    }
    case 'set-team': {
      const team = teamName(change.team);
      if (!PERMISSIONS.has(change.permission)) throw new DomainError('invalid', 'permission must be read, write or admin');
      if (teamOf(state, team)?.permission === change.permission) return [];
      return [{ type: ORGANIZATION_EVENTS.TeamPermissionSet, data: { organization, team, permission: change.permission } }];
    }
    case 'remove-team': {
      const team = teamOf(state, teamName(change.team));
      if (!team) return [];
      return [{ type: ORGANIZATION_EVENTS.TeamRemoved, data: { organization, team: change.team, members: team.members } }];
    }
    case 'add-team-member': {
      if (mustBeTeam(state, change.team).members.includes(change.username)) return [];
      mustBeUser(change.username);
      // A team member is a member of the organization: joining a team makes one.
      const joins: OrganizationEvent[] = roleOf(state, change.username)
        ? []
        : [{ type: ORGANIZATION_EVENTS.MemberRoleSet, data: { organization, username: change.username, role: 'member' } }];
      return [...joins, { type: ORGANIZATION_EVENTS.TeamMemberAdded, data: { organization, team: change.team, username: change.username } }];
    }
    case 'remove-team-member': {
      if (!mustBeTeam(state, change.team).members.includes(change.username)) return [];
      return [{ type: ORGANIZATION_EVENTS.TeamMemberRemoved, data: { organization, team: change.team, username: change.username } }];
    }
    case 'add-team-repository': {
      const team = mustBeTeam(state, change.team);
      const repository = teamRepositoryName(change.repository);
      if (team.repositories.includes(repository)) return [];
      return [{ type: ORGANIZATION_EVENTS.TeamRepositoryAdded, data: { organization, team: change.team, repository } }];
    }
    case 'remove-team-repository': {
      if (!mustBeTeam(state, change.team).repositories.includes(teamRepositoryName(change.repository))) return [];
      return [{ type: ORGANIZATION_EVENTS.TeamRepositoryRemoved, data: { organization, team: change.team, repository: change.repository } }];
    }
    default:
      throw new DomainError('invalid', 'Unknown organization change');
  }
}
