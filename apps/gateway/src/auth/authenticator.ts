import { FastifyRequest } from 'fastify';
import { noteCaller } from '../http/command-identity';
import { readMetadata } from '../http/request-metadata';
import { ACCOUNTS_COMMANDS, AuthenticateReply, DomainError, isDomainError } from '@dockyard/contracts';
import { sendCommand } from '@dockyard/messaging';
import { ClientProxy } from '@nestjs/microservices';
import { UsersReadModel } from '../users/users.read-model';
import { parseBasicCredentials } from './basic-credentials';
import { CredentialCache } from './credential-cache';
import { FailedLoginLimiter, LoginOutcome } from './failed-login-limiter';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { LoginActivity } from './login-activity';
import { arrivalOf } from '../http/request-arrival';

export interface Principal {
  username: string;
  active: boolean;
  admin: boolean;
  credentialsVersion: number;
}

/**
 * Turns `Authorization: Basic` into a Principal. Right credentials seen before are answered from the
 * cache plus one indexed read of read.users; anything else asks the accounts service, which alone
 * holds password hashes. Credentials are cached only once read.users shows the user as accounts
 * answered, so a replica never answers a principal older than one it has already answered.
 */
export class Authenticator {
  constructor(
    private readonly accountsClient: ClientProxy,
    private readonly users: UsersReadModel,
    private readonly cache: CredentialCache,
    private readonly limiter: FailedLoginLimiter,
    private readonly logins: LoginActivity,
    private readonly metrics = new GatewayMetrics(),
  ) {}

  /** Null when the request carries no Basic credentials at all. */
  async authenticate(request: FastifyRequest): Promise<Principal | null> {
    const credentials = parseBasicCredentials(request.headers.authorization);
    if (!credentials) return null;
    const { username, password } = credentials;
    if (!username || !password) throw new DomainError('unauthenticated', 'Authentication is required');
    // A right password this replica verified before needs no check: it takes no slot, but is
    // refused like any attempt while guesses hold the slots. Every other attempt takes a slot
    // before its password is checked, so a burst of guesses cannot outrun the count.
    const cached = await this.cached(username, password, arrivalOf(request));
    if (cached) {
      this.limiter.assertAllowed(username, request.ip);
      noteCaller(request, `user:${cached.username}`);
      return cached;
    }
    const end = this.limiter.begin(username, request.ip);
    let outcome: LoginOutcome = 'unknown';
    try {
      const principal = await this.check(request, username, password);
      outcome = 'right';
      noteCaller(request, `user:${principal.username}`);
      return principal;
    } catch (error) {
      if (isDomainError(error) && error.code === 'unauthenticated') {
        outcome = 'wrong';
        this.logins.record(request, username, false);
      }
      throw error;
    } finally {
      end(outcome);
      if (outcome === 'wrong') this.metrics.failedLogins.inc();
    }
  }

  /** The principal of credentials in the cache, if their user's credentials have not changed since. */
  private async cached(username: string, password: string, since: number): Promise<Principal | null> {
    const cached = this.cache.get(username, password);
    if (!cached) return null;
    const view = await this.users.find(username, since);
    if (view && view.credentialsVersion === cached.credentialsVersion) {
      return { username, active: view.active, admin: view.admin, credentialsVersion: view.credentialsVersion };
    }
    this.cache.forget(username, password);
    return null;
  }

  private async check(request: FastifyRequest, username: string, password: string): Promise<Principal> {
    const reply = await sendCommand<AuthenticateReply>(
      this.accountsClient,
      ACCOUNTS_COMMANDS.Authenticate,
      { username, password },
      readMetadata(request),
      username,
    );
    // The cached path answers from read.users. Remembered before that model shows what accounts
    // just answered (a role granted, the bootstrap admin's role at start), the next request would
    // take back what this one was given.
    if (await this.users.shows(reply.username, reply.streamVersion ?? 0)) this.cache.remember(username, password, reply.credentialsVersion);
    return { username: reply.username, active: reply.active, admin: reply.admin, credentialsVersion: reply.credentialsVersion };
  }

  /** For reads open to anyone: null when anonymous, but credentials given must be an active account's. */
  async authenticateIfAny(request: FastifyRequest): Promise<Principal | null> {
    const principal = await this.authenticate(request);
    if (principal && !principal.active) throw new DomainError('inactive', 'Account is not active');
    return principal;
  }

  /** `GET /v1/users/` (docker login): a successful login is an audit entry too. */
  async login(request: FastifyRequest): Promise<Principal> {
    const principal = await this.requireActive(request);
    this.logins.record(request, principal.username, true);
    return principal;
  }

  /** As `authenticate`, but the request must carry credentials of an active account. */
  async requireActive(request: FastifyRequest): Promise<Principal> {
    const principal = await this.authenticate(request);
    if (!principal) throw new DomainError('unauthenticated', 'Authentication is required');
    if (!principal.active) throw new DomainError('inactive', 'Account is not active');
    return principal;
  }
}

