import { Body, Controller, Delete, Get, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ORGANIZATIONS_COMMANDS, OrganizationChange, OrganizationReply, PROJECTIONS } from '@dockyard/contracts';
import { sendCommand } from '@dockyard/messaging';
import { Authenticator, Principal } from '../auth/authenticator';
import { RepositoryAccess } from '../auth/repository-access';
import { GATEWAY } from '../gateway.tokens';
import { ReadYourWrites } from '../http/read-your-writes';
import { requestMetadata } from '../http/request-metadata';
import { sendJson } from '../http/send-json';
import { validJsonObject } from '../http/json-body.pipe';
import { RepositoriesReadModel } from '../repositories/repositories.read-model';
import { namespacePath } from '../repositories/repository-path';
import { CreateOrganizationBody } from './organization.dto';
import { OrganizationView, OrganizationsReadModel } from './organizations.read-model';

/** A JSON object body's string field; its value is the domain's to judge. */
function field(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new DomainError('invalid', 'The body must be a JSON object');
  const value = (body as Record<string, unknown>)[name];
  if (typeof value !== 'string') throw new DomainError('invalid', `${name} must be a string`);
  return value;
}

/**
 * Organizations (owned by the accounts service): create, show to members, and owners' changes to
 * members, teams, team members and team repositories. Every change is idempotent and answers 204.
 */
@Controller('v1/organizations')
export class OrganizationsHttpController {
  constructor(
    @Inject(GATEWAY.clients.accounts) private readonly accountsClient: ClientProxy,
    @Inject(GATEWAY.authenticator) private readonly authenticator: Authenticator,
    @Inject(GATEWAY.readYourWrites) private readonly readYourWrites: ReadYourWrites,
    @Inject(GATEWAY.organizations) private readonly organizations: OrganizationsReadModel,
    @Inject(GATEWAY.repositories) private readonly repositories: RepositoriesReadModel,
    @Inject(GATEWAY.repositoryAccess) private readonly access: RepositoryAccess,
  ) {}

  @Post()
  async create(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const principal = await this.authenticator.requireActive(request);
    // Unknown fields and wrong types are a 400, as on the users and repositories routes (found in review: accepted).
    const { name, email } = await validJsonObject(CreateOrganizationBody, body);
    const written = await sendCommand<OrganizationReply>(
      this.accountsClient,
      ORGANIZATIONS_COMMANDS.CreateOrganization,
      { actor: { username: principal.username, admin: principal.admin }, name, email },
      requestMetadata(request, principal.username),
      name,
    );
    await this.readYourWrites.waitFor(PROJECTIONS.organizations, written);
    sendJson(reply, 201, await this.organizations.find(name));
  }

  /**
   * Members (and admins) see the organization; to anyone else it does not exist. In the teams'
   * repository lists each caller sees the repositories he may read (RepositoryAccess.mayRead: an
   * owner all, a member his own teams' and the public ones) and names not created yet: a private
   * repository's name is for those who may read it.
   */
  @Get(':org')
  async show(@Param('org') org: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const principal = await this.authenticator.requireActive(request);
    namespacePath(org); // no organization can have the name: 400, as a repository path's (found in review: 404)
    const organization = await this.organizations.find(org);
    if (!organization || !(principal.admin || (await this.organizations.role(principal.username, org)))) {
      throw new DomainError('not-found', 'Organization not found');
    }
    sendJson(reply, 200, await this.asSeenBy(organization, principal));
  }

  private async asSeenBy(organization: OrganizationView, principal: Principal): Promise<OrganizationView> {
    const names = [...new Set(organization.teams.flatMap((team) => team.repositories))];
    const readable = await Promise.all(
      names.map(async (name) => {
        const repository = await this.repositories.find(organization.name, name);
        return !repository || (await this.access.mayRead(principal, repository));
      }),
    );
    const visible = new Set(names.filter((_, i) => readable[i]));
    return { ...organization, teams: organization.teams.map((team) => ({ ...team, repositories: team.repositories.filter((name) => visible.has(name)) })) };
  }

  @Put(':org/members/:username')
  setMember(@Param('org') org: string, @Param('username') username: string, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.change(request, reply, org, () => ({ kind: 'set-member', username, role: field(body, 'role') as 'owner' }));
  }

  @Delete(':org/members/:username')
  removeMember(@Param('org') org: string, @Param('username') username: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.change(request, reply, org, () => ({ kind: 'remove-member', username }));
  }

  @Put(':org/teams/:team')
  setTeam(@Param('org') org: string, @Param('team') team: string, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.change(request, reply, org, () => ({ kind: 'set-team', team, permission: field(body, 'permission') as 'read' }));
  }

  @Delete(':org/teams/:team')
  removeTeam(@Param('org') org: string, @Param('team') team: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.change(request, reply, org, () => ({ kind: 'remove-team', team }));
  }

  @Put(':org/teams/:team/members/:username')
  addTeamMember(@Param('org') org: string, @Param('team') team: string, @Param('username') username: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.change(request, reply, org, () => ({ kind: 'add-team-member', team, username }));
  }

  @Delete(':org/teams/:team/members/:username')
  removeTeamMember(@Param('org') org: string, @Param('team') team: string, @Param('username') username: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.change(request, reply, org, () => ({ kind: 'remove-team-member', team, username }));
  }

  @Put(':org/teams/:team/repositories/:repository')
  addTeamRepository(@Param('org') org: string, @Param('team') team: string, @Param('repository') repository: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.change(request, reply, org, () => ({ kind: 'add-team-repository', team, repository }));
  }

  @Delete(':org/teams/:team/repositories/:repository')
  removeTeamRepository(@Param('org') org: string, @Param('team') team: string, @Param('repository') repository: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.change(request, reply, org, () => ({ kind: 'remove-team-repository', team, repository }));
  }

  /** `change` reads the body only once the caller is known: no credentials is a 401 whatever was sent. */
  private async change(request: FastifyRequest, reply: FastifyReply, organization: string, describe: () => OrganizationChange): Promise<void> {
    const principal = await this.authenticator.requireActive(request);
    namespacePath(organization);
    const change = describe();
    const written = await sendCommand<OrganizationReply>(
      this.accountsClient,
      ORGANIZATIONS_COMMANDS.ChangeOrganization,
      { actor: { username: principal.username, admin: principal.admin }, organization, change },
      requestMetadata(request, principal.username),
      organization,
    );
    await this.readYourWrites.waitFor(PROJECTIONS.organizations, written);
    void reply.status(204).send();
  }
}
