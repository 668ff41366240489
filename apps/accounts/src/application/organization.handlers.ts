import {
  ChangeOrganizationCommand,
  CreateOrganizationCommand,
  DomainError,
  MessageMetadata,
  OrganizationReply,
} from '@dockyard/contracts';
import { WrongExpectedVersionError } from '@dockyard/eventstore';
import { changeOrganization, createOrganization } from '../domain/organization';
import { Email, Username } from '../domain/user';
import { OrganizationStore } from '../infrastructure/organization.store';
import { retryOnConflict } from '@dockyard/eventstore';

const TAKEN = (name: string) => new DomainError('invalid', `The name ${name} is taken`);

/** Organization use cases: create one (the caller is its first owner), and owners' changes. */
export class OrganizationHandlers {
  constructor(private readonly organizations: OrganizationStore) {}

  async create(command: CreateOrganizationCommand, metadata: MessageMetadata): Promise<OrganizationReply> {
    const name = Username.forRegistration(command.name);
    const email = Email.create(command.email);
    const { state } = await this.organizations.load(name.value);
    const events = createOrganization(state, { name, email, creator: command.actor.username });
    try {
      return await this.organizations.append(name.value, 0, events, metadata);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw TAKEN(name.value);
      throw error;
    }
  }

  async change(command: ChangeOrganizationCommand, metadata: MessageMetadata): Promise<OrganizationReply> {
    const change = command.change;
    const named = 'username' in change ? [change.username] : [];
    const users = await this.organizations.users(named);
    return retryOnConflict(async () => {
      const { state, version } = await this.organizations.load(command.organization);
      const events = changeOrganization(state, command.actor, change, (username) => users.has(username));
      if (events.length === 0) return null;
      return this.organizations.append(command.organization, version, events, metadata);
    });
  }
}
