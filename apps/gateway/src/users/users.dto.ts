import { IsString } from 'class-validator';
import { OptionalField } from '../http/optional-field';

/**
 * `POST /v1/users/`, as the docker client sends it: `auth` is always there and empty, `email` may be
 * empty. Only types are checked here; the accounts service applies the rules, after the existence
 * check the docker login depends on.
 */
export class RegisterUserBody {
  @OptionalField() @IsString() username?: string;
  @OptionalField() @IsString() password?: string;
  @OptionalField() @IsString() email?: string;
  @OptionalField() @IsString() auth?: string;
  @OptionalField() @IsString() serveraddress?: string;
}

/** `PUT /v1/users/(username)/`: a new e-mail to add and/or a new password. */
export class UpdateUserBody {
  @OptionalField() @IsString() email?: string;
  @OptionalField() @IsString() password?: string;
}
