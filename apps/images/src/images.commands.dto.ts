import { Type } from 'class-transformer';
import { IsArray, IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import {
  DeleteTagCommand,
  MountImageCommand,
  RecordLayerCommand,
  SetTagCommand,
  StoreImageJsonCommand,
  UpdateIndexCommand,
  VerifyChecksumCommand,
} from '@dockyard/contracts';

/*
 * The images commands' payloads: shapes and types. Ids, tags, namespaces and the image list's
 * entries are the domain's rules (imageId, tagName, the namespace check), with the API's messages.
 */

/** One entry of an image list: the id's format is the domain's rule; the types are checked here. */
export class IndexImageDto {
  @IsString() id!: string;
  @IsOptional() @IsString() checksum?: string;
}

export class UpdateIndexDto implements UpdateIndexCommand {
  @IsString() repositoryId!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => IndexImageDto) images!: IndexImageDto[];
}

export class SetTagDto implements SetTagCommand {
  @IsString() repositoryId!: string;
  @IsString() tag!: string;
  @IsString() imageId!: string;
}

export class DeleteTagDto implements DeleteTagCommand {
  @IsString() repositoryId!: string;
  @IsString() tag!: string;
}

export class StoreImageJsonDto implements StoreImageJsonCommand {
  @IsString() namespace!: string;
  @IsString() imageId!: string;
  @IsString() json!: string;
}

export class RecordLayerDto implements RecordLayerCommand {
  @IsString() namespace!: string;
  @IsString() imageId!: string;
  @IsString() blobKey!: string;
  @IsInt() @Min(0) size!: number;
  @IsString() payloadChecksum!: string;
  @IsOptional() @IsString() hashedJson?: string;
}

export class VerifyChecksumDto implements VerifyChecksumCommand {
  @IsString() namespace!: string;
  @IsString() imageId!: string;
  @IsString() checksum!: string;
  @IsString() payloadChecksum!: string;
}

export class MountImageDto implements MountImageCommand {
  @IsString() namespace!: string;
  @IsString() imageId!: string;
  @IsString() sourceNamespace!: string;
  @IsString() json!: string;
}
