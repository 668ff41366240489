import { ACCOUNTS_COMMANDS } from '@dockyard/contracts';
import { CommandHandler } from '@dockyard/messaging';
import { AuthenticateHandler } from './application/authenticate.handler';
import { ChangeRoleHandler } from './application/change-role.handler';
import { ConfirmEmailHandler } from './application/confirm-email.handler';
import { RegisterUserHandler } from './application/register-user.handler';
import { UpdateUserHandler } from './application/update-user.handler';

/** Maps the accounts command patterns (libs/contracts) to their use cases. */
export function accountsCommandHandlers(handlers: {
  register: RegisterUserHandler;
  authenticate: AuthenticateHandler;
  update: UpdateUserHandler;
  confirm: ConfirmEmailHandler;
  changeRole: ChangeRoleHandler;
}): Record<string, CommandHandler> {
  return {
    [ACCOUNTS_COMMANDS.RegisterUser]: (payload, metadata) => handlers.register.handle(payload as never, metadata),
    [ACCOUNTS_COMMANDS.Authenticate]: (payload) => handlers.authenticate.handle(payload as never),
    [ACCOUNTS_COMMANDS.UpdateUser]: (payload, metadata) => handlers.update.handle(payload as never, metadata),
    [ACCOUNTS_COMMANDS.ConfirmEmail]: (payload, metadata) => handlers.confirm.handle(payload as never, metadata),
    [ACCOUNTS_COMMANDS.ChangeRole]: (payload, metadata) => handlers.changeRole.handle(payload as never, metadata),
  };
}
