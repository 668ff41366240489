import { IsBoolean, IsString } from 'class-validator';
import { OptionalField } from '../http/optional-field';

/*
 * Seed 004's repository bodies (snake_case on the wire): types only. Names and lengths are the
 * repositories service's rules (RepositoryName, validateMetadata), with the API's messages.
 */

/** `PUT /v1/repositories/(namespace)/(name)/` with an object: the metadata to change. */
export class RepositoryMetadataBody {
  @OptionalField() @IsString() description?: string;
  @OptionalField() @IsString() full_description?: string;
  @OptionalField() @IsBoolean() is_public?: boolean;
  @OptionalField() @IsString() logo?: string;
}

/** `POST /v1/repositories/(namespace)/`: a name (`repo_name`, or `name`) and the first metadata. */
export class CreateRepositoryBody extends RepositoryMetadataBody {
  @OptionalField() @IsString() repo_name?: string;
  @OptionalField() @IsString() name?: string;
  @OptionalField() @IsString() namespace?: string;
}
