import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import {
  AuthenticateCommand,
  ChangeRoleCommand,
  CreateOrganizationCommand,
  OrganizationChange,
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

const CHANGE_KINDS = [
  'set-member',
  'remove-member',
  'set-team',
  'remove-team',
  'add-team-member',
  'remove-team-member',
  'add-team-repository',
  'remove-team-repository',
];

/** The change's fields are checked by the domain (names, roles, permissions); here only its kind. */
export class OrganizationChangeDto {
  @IsIn(CHANGE_KINDS) kind!: OrganizationChange['kind'];
  @IsOptional() @IsString() username?: string;
  @IsOptional() @IsString() team?: string;
  @IsOptional() @IsString() repository?: string;
  @IsOptional() @IsString() role?: string;
  @IsOptional() @IsString() permission?: string;
}

export class CreateOrganizationDto implements CreateOrganizationCommand {
  @IsDefined() @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  // Missing or odd values are the domain's to name.
  @IsOptional() name!: unknown;
  @IsOptional() email!: unknown;
}

export class ChangeOrganizationDto {
  @IsDefined() @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsString() organization!: string;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => OrganizationChangeDto) change!: OrganizationChangeDto;
}
