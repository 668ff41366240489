import { IsString } from 'class-validator';

/** `POST /v1/organizations/`: types only; the name and e-mail rules are the accounts service's. */
export class CreateOrganizationBody {
  @IsString() name!: string;
  @IsString() email!: string;
}
