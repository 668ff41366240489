import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { READ_SCHEMA } from '@dockyard/contracts';
import { runMigrations } from '@dockyard/eventstore';
import { HubRuntime, databaseUrlFor } from '@dockyard/runtime';
import { AuditLinkPositions1732400030700, CreateAuditReadModel1732400030300 } from './audit/audit.migrations';
import {
  AuditActivityInboxKeepsText1732400030800,
  CreateAuditActivityInbox1732400030500,
  CreateAuditInbox1732400030400,
} from './audit/audit-inbox.migrations';
import { CreateActivityInbox1732400030600, CreateCountedActivity1732400008000 } from './activity/activity.migrations';
import { ActivityInbox } from './activity/activity-inbox';
import { CreateImageFetches1732400013100 } from './image-fetches/image-fetches.migrations';
import {
  CreateImageMetadata1732400007000,
  ImagesByNamespace1732400013000,
} from './image-metadata/image-metadata.migrations';
import { CreateReadModels1732400002000 } from './read-model.migrations';
import { CreateOrganizations1732400030100 } from './organizations/organizations.migrations';
import { CreateSearchIndexes1732400030000 } from './search/search.migrations';
import { CreateStars1732400030200 } from './repositories/stars.migrations';
import { CreateRepositoryNames1732400020100 } from './repositories/repository-names.migrations';
import { CreateRepositoryReadModels1732400006000 } from './repository-read-models.migrations';
import { AddUserRoles1732400010000 } from './users/user-roles.migrations';

/** Schema `read`'s migrations, in order: the projector runs them at start; tests build the same tables. */
export const READ_MODEL_MIGRATIONS = [
  CreateReadModels1732400002000,
  CreateRepositoryReadModels1732400006000,
  CreateImageMetadata1732400007000,
  CreateCountedActivity1732400008000,
  AddUserRoles1732400010000,
  ImagesByNamespace1732400013000,
  CreateImageFetches1732400013100,
  CreateRepositoryNames1732400020100,
  CreateSearchIndexes1732400030000,
  CreateOrganizations1732400030100,
  CreateStars1732400030200,
  CreateAuditReadModel1732400030300,
  CreateAuditInbox1732400030400,
  CreateAuditActivityInbox1732400030500,
  CreateActivityInbox1732400030600,
  AuditLinkPositions1732400030700,
  AuditActivityInboxKeepsText1732400030800,
];

/**
 * Schema `read`, migrated before the projector consumes (Nest runs bootstrap hooks before the
 * transport listens), and the activity inbox's writer, which starts once its table exists and
 * finishes its batch on shutdown.
 */
export class ReadModels implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly runtime: HubRuntime,
    private readonly activityInbox?: ActivityInbox,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await runMigrations(databaseUrlFor(this.runtime.config, 'read'), READ_SCHEMA, READ_MODEL_MIGRATIONS);
    this.activityInbox?.start();
    this.runtime.logger.info('projector ready');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.activityInbox?.close();
  }
}
