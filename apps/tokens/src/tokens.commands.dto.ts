import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import {
  IssueTokenCommand,
  IssuedTokenRecord,
  MessageMetadata,
  RecordIssuedTokensCommand,
  TokenAccess,
  TokenIssuedV1,
  ValidateTokenCommand,
} from '@dockyard/contracts';

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

/** Far above a gateway's batch (200): bounds one command's transaction. */
const MAX_RECORDS_PER_BATCH = 1000;

export class TokenIssuedDto implements TokenIssuedV1 {
  @IsString() tokenId!: string;
  @IsString() repository!: string;
  @IsString() repositoryId!: string;
  @IsIn(['read', 'write', 'delete']) access!: TokenAccess;
  @IsOptional() @IsString() username!: string | null;
  @IsISO8601() expiresAt!: string;
  @IsOptional() @IsString() kid?: string;
}

export class IssuedTokenRecordDto implements IssuedTokenRecord {
  @ValidateNested() @Type(() => TokenIssuedDto) event!: TokenIssuedDto;
  @IsObject() metadata!: MessageMetadata;
  @IsOptional() @IsISO8601({ strict: true }) issuedAt?: string;
}

export class RecordIssuedTokensDto implements RecordIssuedTokensCommand {
  @IsArray() @ArrayMaxSize(MAX_RECORDS_PER_BATCH) @ValidateNested({ each: true }) @Type(() => IssuedTokenRecordDto) grants!: IssuedTokenRecordDto[];
}
