import { Pool } from 'pg';
import { DomainError, MessageMetadata, ORGANIZATION_EVENTS, WrittenStream, organizationStreamId } from '@dockyard/contracts';
import { EventStore, appendClaiming } from '@dockyard/eventstore';
import { OrganizationEvent, OrganizationState, foldOrganization } from '../domain/organization';
import { claimNamespace } from './user.repository';

/** Organization aggregates, one stream each (`organization-<name>`), in the accounts schema. */
export class OrganizationStore {
  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
  ) {}

  async load(name: string): Promise<{ state: OrganizationState; version: number }> {
    const stored = await this.store.readStream(organizationStreamId(name));
    return {
      state: foldOrganization(stored.map((e) => ({ type: e.type, data: e.data }) as unknown as OrganizationEvent)),
      version: stored.length === 0 ? 0 : stored[stored.length - 1].streamVersion,
    };
  }

  /** Which of `names` are user accounts (an organization's name is claimed, but is no user). */
  async users(names: string[]): Promise<Set<string>> {
    const { rows } = await this.pool.query(`SELECT name FROM accounts.namespace_claims WHERE name = ANY($1) AND kind = 'user'`, [names]);
    return new Set(rows.map((row) => row.name));
  }

  /** Appends; a creation claims the name in the same transaction (taken by a user or another organization: 400). */
  append(name: string, expectedVersion: number, events: OrganizationEvent[], metadata: MessageMetadata): Promise<WrittenStream> {
    return appendClaiming(
      this.store,
      'accounts',
      { streamId: organizationStreamId(name), expectedVersion },
      events.map((e) => ({ type: e.type, data: { ...e.data } })),
      metadata,
      {
        write: async (client) => {
          if (events.some((e) => e.type === ORGANIZATION_EVENTS.OrganizationCreated)) await claimNamespace(client, name, 'organization');
        },
        taken: () => new DomainError('invalid', `The name ${name} is taken`),
      },
    );
  }
}
