import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, ValidateNested } from 'class-validator';
import { IssueTokenCommand, TokenAccess, ValidateTokenCommand } from '@dockyard/contracts';

/** The tokens commands' payloads: shapes and types; the token's own spelling is the domain's rule. */

export class TokenUserDto {
  @IsString() username!: string;
  @IsInt() credentialsVersion!: number;
}

export class IssueTokenDto implements IssueTokenCommand {
  @IsString() repository!: string;
  @IsString() repositoryId!: string;
  @IsIn(['read', 'write', 'delete']) access!: TokenAccess;
  @IsOptional() @ValidateNested() @Type(() => TokenUserDto) user!: TokenUserDto | null;
}

export class ValidateTokenDto implements ValidateTokenCommand {
  @IsString() token!: string;
  @IsString() repository!: string;
  @IsIn(['read', 'write', 'delete', 'any']) access!: TokenAccess | 'any';
}
