import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsOptional, IsString, ValidateNested } from 'class-validator';
import {
  AuthenticateCommand,
  ChangeRoleCommand,
  ConfirmEmailCommand,
  RegisterUserCommand,
  UpdateUserCommand,
  UserRole,
} from '@dockyard/contracts';

/*
 * The accounts commands' payloads as they must arrive: shapes and types only. The values (a
 * username's characters, a password's length, an e-mail's form) are the domain's value objects'
 * rules, which answer with the messages the API documents.
 */

export class RegisterUserDto implements RegisterUserCommand {
  // Missing values are the domain's to name ("Username is required").
  @IsOptional() @IsString() username!: string | undefined;
  @IsOptional() @IsString() password!: string | undefined;
  @IsOptional() @IsString() email!: string | undefined;
}

export class AuthenticateDto implements AuthenticateCommand {
  @IsString() username!: string;
  @IsString() password!: string;
}

export class ActorDto {
  @IsString() username!: string;
  @IsBoolean() admin!: boolean;
}

export class UpdateUserDto implements UpdateUserCommand {
  @IsDefined() @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsString() username!: string;
  @IsOptional() @IsString() email?: string;
  @IsOptional() @IsString() password?: string;
}

export class ConfirmEmailDto implements ConfirmEmailCommand {
  @IsString() username!: string;
  @IsString() code!: string;
}

export class ChangeRoleDto implements ChangeRoleCommand {
  @IsDefined() @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsString() username!: string;
  @IsString() role!: UserRole;
  @IsBoolean() granted!: boolean;
}
