import { Body, Controller, Get, Inject, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { FastifyReply, FastifyRequest } from 'fastify';
import {
  ACCOUNTS_COMMANDS,
  ConfirmEmailReply,
  PROJECTIONS,
  RegisterUserReply,
  UpdateUserReply,
  isDomainError,
} from '@dockyard/contracts';
import { sendCommand } from '@dockyard/messaging';
import { Authenticator } from '../auth/authenticator';
import { GATEWAY } from '../gateway.tokens';
import { ReadYourWrites } from '../http/read-your-writes';
import { noteCaller } from '../http/command-identity';
import { requestMetadata } from '../http/request-metadata';
import { sendJson } from '../http/send-json';
import { RegisterUserBody, UpdateUserBody } from './users.dto';

/** The users part of the v1 index API (seeds 000/001, protocol.md §1.1). Trailing slashes optional. */
@Controller('v1/users')
export class UsersHttpController {
  constructor(
    @Inject(GATEWAY.clients.accounts) private readonly accountsClient: ClientProxy,
    @Inject(GATEWAY.authenticator) private readonly authenticator: Authenticator,
    @Inject(GATEWAY.readYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  async register(@Body() body: RegisterUserBody, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    let written: RegisterUserReply;
    // Nobody is signed in yet: the account asked for scopes the Idempotency-Key, so two clients that
    // happen to use one key for different usernames are two registrations.
    noteCaller(request, `registrant:${JSON.stringify(body.username ?? null)}`);
    try {
      written = await sendCommand<RegisterUserReply>(
        this.accountsClient,
        ACCOUNTS_COMMANDS.RegisterUser,
        { username: body.username, password: body.password, email: body.email },
        requestMetadata(request),
        typeof body.username === 'string' ? body.username : undefined,
      );
    } catch (error) {
      // The docker 1.x login compares this body byte for byte, then checks the password with a GET.
      if (isDomainError(error) && error.code === 'already-exists') return sendJson(reply, 400, error.message);
      throw error;
    }
    await this.readYourWrites.waitFor(PROJECTIONS.users, written);
    sendJson(reply, 201, 'User Created');
  }

  @Get()
  async login(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.authenticator.login(request);
    sendJson(reply, 200, 'OK');
  }

  @Put(':username')
  async update(
    @Param('username') username: string,
    @Body() body: UpdateUserBody,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const actor = await this.authenticator.requireActive(request);
    const written = await sendCommand<UpdateUserReply>(
      this.accountsClient,
      ACCOUNTS_COMMANDS.UpdateUser,
      { actor: { username: actor.username, admin: actor.admin }, username, email: body.email, password: body.password },
      requestMetadata(request, actor.username),
      username,
    );
    await this.readYourWrites.waitFor(PROJECTIONS.users, written);
    void reply.status(204).send();
  }

  /** The link in the confirmation e-mail. */
  @Get(':username/confirm')
  async confirm(
    @Param('username') username: string,
    @Query('code') code: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const written = await sendCommand<ConfirmEmailReply>(
      this.accountsClient,
      ACCOUNTS_COMMANDS.ConfirmEmail,
      { username, code: typeof code === 'string' ? code : '' },
      requestMetadata(request),
      username,
    );
    await this.readYourWrites.waitFor(PROJECTIONS.users, written);
    sendJson(reply, 200, 'Email confirmed');
  }
}
