import { FastifyRequest } from 'fastify';
import { DomainError } from '@dockyard/contracts';
import { Authenticator, Principal } from '../auth/authenticator';
import { AuditReadModel } from './audit.read-model';

/** Who is reading the audit API, with the roles that open it. */
export interface AuditReader {
  principal: Principal;
  /** An admin or an auditor: reads every history, the feed and checkpoints. */
  readsEverything: boolean;
}

/**
 * The audit API's access rules (issue 9): anonymous → 401; admins and auditors read everything;
 * a repository's history is also its owner's (the namespace's user, also after the repository was
 * deleted); an account's history is also that user's. Anyone else gets 403 for a public repository
 * and 404 for a private or unknown one, so a private name never leaks.
 */
export class AuditAccess {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly audit: AuditReadModel,
  ) {}

  async reader(request: FastifyRequest): Promise<AuditReader> {
    const principal = await this.authenticator.requireActive(request);
    return { principal, readsEverything: principal.admin || (await this.audit.isAuditor(principal.username)) };
  }

  async requireEverything(request: FastifyRequest): Promise<AuditReader> {
    const reader = await this.reader(request);
    if (!reader.readsEverything) throw new DomainError('forbidden', 'Only admins and auditors may read the audit feed');
    return reader;
  }

  /** May read the history of the name `namespace/name` (every life of it). */
  async requireRepository(request: FastifyRequest, namespace: string, name: string): Promise<void> {
    const reader = await this.reader(request);
    const known = await this.audit.repository(`${namespace}/${name}`);
    if (!known) throw new DomainError('not-found', 'Repository not found');
    if (reader.readsEverything) return;
    if (namespace !== 'library' && reader.principal.username === namespace) return;
    if (known.isPublic) throw new DomainError('forbidden', "Only the repository's owner, admins and auditors may read its history");
    throw new DomainError('not-found', 'Repository not found');
  }

  async requireUser(request: FastifyRequest, username: string): Promise<void> {
    const reader = await this.reader(request);
    if (reader.readsEverything || reader.principal.username === username) return;
    throw new DomainError('forbidden', 'Only the user, admins and auditors may read an account history');
  }
}
