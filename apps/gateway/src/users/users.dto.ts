import { IsOptional, IsString } from 'class-validator';

/**
 * `POST /v1/users/`, as the docker client sends it: `auth` is always there and empty, `email` may be
 * empty. Only types are checked here; the accounts service applies the rules, after the existence
 * check the docker login depends on.
 */
export class RegisterUserBody {
  @IsOptional() @IsString() username?: string;
  @IsOptional() @IsString() password?: string;
  @IsOptional() @IsString() email?: string;
  @IsOptional() @IsString() auth?: string;
  @IsOptional() @IsString() serveraddress?: string;
}

/** `PUT /v1/users/(username)/`: a new e-mail to add and/or a new password. */
export class UpdateUserBody {
  @IsOptional() @IsString() email?: string;
  @IsOptional() @IsString() password?: string;
}
