/**
 * Facts about organizations and their teams, published by the accounts service (which owns every
 * name a namespace can have: users and organizations) on `dockyard.accounts.events`, one stream per
 * organization.
 */
export const ORGANIZATION_EVENTS = {
  OrganizationCreated: 'OrganizationCreated',
  MemberRoleSet: 'OrganizationMemberRoleSet',
  MemberRemoved: 'OrganizationMemberRemoved',
  TeamPermissionSet: 'TeamPermissionSet',
  TeamRemoved: 'TeamRemoved',
  TeamMemberAdded: 'TeamMemberAdded',
  TeamMemberRemoved: 'TeamMemberRemoved',
  TeamRepositoryAdded: 'TeamRepositoryAdded',
  TeamRepositoryRemoved: 'TeamRepositoryRemoved',
} as const;

export type OrganizationRole = 'owner' | 'member';
export type TeamPermission = 'read' | 'write' | 'admin';

export interface OrganizationCreatedV1 {
  organization: string;
  email: string;
  createdBy: string;
}
/** A member joined, or changed role. */
export interface OrganizationMemberRoleSetV1 {
  organization: string;
  username: string;
  role: OrganizationRole;
}
/** The member left the organization and every team of it. */
export interface OrganizationMemberRemovedV1 {
  organization: string;
  username: string;
}
/** A team was created, or its permission changed. */
export interface TeamPermissionSetV1 {
  organization: string;
  team: string;
  permission: TeamPermission;
}
/** `members` are the team's members at its removal (their tokens for the organization are void). */
export interface TeamRemovedV1 {
  organization: string;
  team: string;
  members: string[];
}
export interface TeamMemberV1 {
  organization: string;
  team: string;
  username: string;
}
/** `repository` is a repository name inside the organization's namespace. */
export interface TeamRepositoryV1 {
  organization: string;
  team: string;
  repository: string;
}

export const organizationStreamId = (name: string): string => `organization-${name}`;
