import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  RepositoryMetadata,
  StarRepositoryCommand,
  TeamPermission,
  UpdateRepositoryCommand,
} from '@dockyard/contracts';

/*
 * The repositories commands' payloads: shapes and types. Names and metadata values are the
 * domain's rules (RepositoryName, validateMetadata), which answer with the API's messages.
 */

export class RepositoryActorDto {
  @IsString() username!: string;
  @IsBoolean() admin!: boolean;
  @IsOptional() @IsIn(['read', 'write', 'admin']) permission?: TeamPermission;
}

export class CreateRepositoryDto implements CreateRepositoryCommand {
  @IsDefined() @ValidateNested() @Type(() => RepositoryActorDto) actor!: RepositoryActorDto;
  @IsString() namespace!: string;
  @IsString() name!: string;
  @IsOptional() @IsObject() metadata?: Partial<RepositoryMetadata>;
  @IsIn(['reuse', 'refuse']) existing!: 'reuse' | 'refuse';
}

export class UpdateRepositoryDto implements UpdateRepositoryCommand {
  @IsDefined() @ValidateNested() @Type(() => RepositoryActorDto) actor!: RepositoryActorDto;
  @IsString() namespace!: string;
  @IsString() name!: string;
  @IsObject() changes!: Partial<RepositoryMetadata>;
}

export class DeleteRepositoryDto implements DeleteRepositoryCommand {
  @IsDefined() @ValidateNested() @Type(() => RepositoryActorDto) actor!: RepositoryActorDto;
  @IsString() namespace!: string;
  @IsString() name!: string;
}

export class StarRepositoryDto implements StarRepositoryCommand {
  @IsDefined() @ValidateNested() @Type(() => RepositoryActorDto) actor!: RepositoryActorDto;
  @IsString() namespace!: string;
  @IsString() name!: string;
  @IsBoolean() starred!: boolean;
}
