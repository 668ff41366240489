import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { ACCOUNTS_COMMANDS, ChangeOrganizationCommand, ORGANIZATIONS_COMMANDS } from '@dockyard/contracts';
import { BusContext } from '@dockyard/messaging';
import { ExecuteOnce } from '@dockyard/runtime';
import { AuthenticateHandler } from './application/authenticate.handler';
import { ChangeRoleHandler } from './application/change-role.handler';
import { ConfirmEmailHandler } from './application/confirm-email.handler';
import { RegisterUserHandler } from './application/register-user.handler';
import { OrganizationHandlers } from './application/organization.handlers';
import { UpdateUserHandler } from './application/update-user.handler';
import { AuthenticateDto, ChangeOrganizationDto, ChangeRoleDto, ConfirmEmailDto, CreateOrganizationDto, RegisterUserDto, UpdateUserDto } from './accounts.commands.dto';

/** The accounts service's commands (patterns from libs/contracts), each to its use case. */
@Controller()
export class AccountsMessageController {
  constructor(
    private readonly registerUser: RegisterUserHandler,
    private readonly authenticateUser: AuthenticateHandler,
    private readonly updateUser: UpdateUserHandler,
    private readonly confirmEmail: ConfirmEmailHandler,
    private readonly changeRole: ChangeRoleHandler,
    private readonly organizations: OrganizationHandlers,
  ) {}

  @MessagePattern(ACCOUNTS_COMMANDS.RegisterUser)
  @ExecuteOnce()
  register(@Payload() command: RegisterUserDto, @Ctx() context: BusContext) {
    return this.registerUser.handle(command, context.getMetadata());
  }

  @MessagePattern(ACCOUNTS_COMMANDS.Authenticate)
  authenticate(@Payload() command: AuthenticateDto) {
    return this.authenticateUser.handle(command);
  }

  @MessagePattern(ACCOUNTS_COMMANDS.UpdateUser)
  @ExecuteOnce()
  update(@Payload() command: UpdateUserDto, @Ctx() context: BusContext) {
    return this.updateUser.handle(command, context.getMetadata());
  }

  @MessagePattern(ACCOUNTS_COMMANDS.ConfirmEmail)
  @ExecuteOnce()
  confirm(@Payload() command: ConfirmEmailDto, @Ctx() context: BusContext) {
    return this.confirmEmail.handle(command, context.getMetadata());
  }

  @MessagePattern(ACCOUNTS_COMMANDS.ChangeRole)
  @ExecuteOnce()
  role(@Payload() command: ChangeRoleDto, @Ctx() context: BusContext) {
    return this.changeRole.handle(command, context.getMetadata());
  }

  @MessagePattern(ORGANIZATIONS_COMMANDS.CreateOrganization)
  @ExecuteOnce()
  createOrganization(@Payload() command: CreateOrganizationDto, @Ctx() context: BusContext) {
    return this.organizations.create(command, context.getMetadata());
  }

  @MessagePattern(ORGANIZATIONS_COMMANDS.ChangeOrganization)
  @ExecuteOnce()
  changeOrganization(@Payload() command: ChangeOrganizationDto, @Ctx() context: BusContext) {
    return this.organizations.change(command as ChangeOrganizationCommand, context.getMetadata());
  }

}
