import {
  ORGANIZATION_EVENTS,
  OrganizationCreatedV1,
  OrganizationMemberRemovedV1,
  OrganizationMemberRoleSetV1,
  TeamMemberV1,
  TeamPermissionSetV1,
  TeamRemovedV1,
  TeamRepositoryV1,
} from '@dockyard/contracts';

export type OrganizationEvent =
  | { type: typeof ORGANIZATION_EVENTS.OrganizationCreated; data: OrganizationCreatedV1 }
  | { type: typeof ORGANIZATION_EVENTS.MemberRoleSet; data: OrganizationMemberRoleSetV1 }
  | { type: typeof ORGANIZATION_EVENTS.MemberRemoved; data: OrganizationMemberRemovedV1 }
  | { type: typeof ORGANIZATION_EVENTS.TeamPermissionSet; data: TeamPermissionSetV1 }
  | { type: typeof ORGANIZATION_EVENTS.TeamRemoved; data: TeamRemovedV1 }
  | { type: typeof ORGANIZATION_EVENTS.TeamMemberAdded; data: TeamMemberV1 }
  | { type: typeof ORGANIZATION_EVENTS.TeamMemberRemoved; data: TeamMemberV1 }
  | { type: typeof ORGANIZATION_EVENTS.TeamRepositoryAdded; data: TeamRepositoryV1 }
  | { type: typeof ORGANIZATION_EVENTS.TeamRepositoryRemoved; data: TeamRepositoryV1 };
