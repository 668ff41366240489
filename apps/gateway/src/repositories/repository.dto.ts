import { IsBoolean, IsOptional, IsString } from 'class-validator';

/*
 * Seed 004's repository bodies (snake_case on the wire): types only. Names and lengths are the
 * repositories service's rules (RepositoryName, validateMetadata), with the API's messages.
 */

/** `PUT /v1/repositories/(namespace)/(name)/` with an object: the metadata to change. */
export class RepositoryMetadataBody {
  @IsOptional() @IsString() description?: string;
  @IsOptional() @IsString() full_description?: string;
  @IsOptional() @IsBoolean() is_public?: boolean;
  @IsOptional() @IsString() logo?: string;
}

/** `POST /v1/repositories/(namespace)/`: a name (`repo_name`, or `name`) and the first metadata. */
export class CreateRepositoryBody extends RepositoryMetadataBody {
  @IsOptional() @IsString() repo_name?: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() namespace?: string;
}
