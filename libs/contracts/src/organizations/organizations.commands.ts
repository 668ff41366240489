import { WrittenStream } from '../event-envelope';
import { Actor } from '../repositories/repositories.commands';
import { OrganizationRole, TeamPermission } from './organizations.events';

/** Organization commands, answered by the accounts service. */
export const ORGANIZATIONS_COMMANDS = {
  CreateOrganization: 'accounts.create-organization',
  ChangeOrganization: 'accounts.change-organization',
} as const;

export interface CreateOrganizationCommand {
  actor: Actor;
  name: unknown;
  email: unknown;
}

/** One change to an organization's members or teams, by one of its owners. */
export type OrganizationChange =
  | { kind: 'set-member'; username: string; role: OrganizationRole }
  | { kind: 'remove-member'; username: string }
  | { kind: 'set-team'; team: string; permission: TeamPermission }
  | { kind: 'remove-team'; team: string }
  | { kind: 'add-team-member'; team: string; username: string }
  | { kind: 'remove-team-member'; team: string; username: string }
  | { kind: 'add-team-repository'; team: string; repository: string }
  | { kind: 'remove-team-repository'; team: string; repository: string };

export interface ChangeOrganizationCommand {
  actor: Actor;
  organization: string;
  change: OrganizationChange;
}
/** Null when the change changed nothing (it was so already). */
export type OrganizationReply = WrittenStream | null;
