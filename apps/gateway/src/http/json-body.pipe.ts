import { Injectable, PipeTransform, Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from '@dockyard/contracts';

const reasons = (errors: ValidationError[]): string[] =>
  errors.flatMap((error) => [...Object.values(error.constraints ?? {}), ...reasons(error.children ?? [])]);

const validationPipe = (forbidUnknownFields: boolean) =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: forbidUnknownFields,
    forbidUnknownValues: true,
    transform: false,
    exceptionFactory: (errors) => new DomainError('invalid', reasons(errors).join('; ')),
  });

const STRICT = validationPipe(true);
const LENIENT = validationPipe(false);

/**
 * Checks a JSON object against a class-validator DTO: it must be an object whose fields have the
 * DTO's types, and (unless `allowUnknownFields`: the docker client's image list entries) no other
 * fields. Anything else is a 400 with the reasons; `where` names the object for the client.
 */
export async function validJsonObject<T extends object>(dto: Type<T>, value: unknown, where = 'The body', allowUnknownFields = false): Promise<T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DomainError('invalid', `${where} must be a JSON object`);
  }
  try {
    return (await (allowUnknownFields ? LENIENT : STRICT).transform(value, { type: 'body', metatype: dto })) as T;
  } catch (error) {
    if (where !== 'The body' && error instanceof DomainError) throw new DomainError('invalid', `${where}: ${error.message}`);
    throw error;
  }
}

/** What `@Body() body: unknown` (or a primitive) reports as its type: no DTO to check against. */
const UNTYPED = new Set<unknown>([Object, Array, String, Number, Boolean]);

/**
 * Validates a `@Body()` typed with a class-validator DTO (`validJsonObject`). Routes without a DTO
 * (the docker index calls take arrays or JSON strings) check their body themselves.
 */
@Injectable()
export class JsonBodyPipe implements PipeTransform {
  async transform(value: unknown, metadata: Parameters<PipeTransform['transform']>[1]): Promise<unknown> {
    if (metadata.type !== 'body' || !metadata.metatype || UNTYPED.has(metadata.metatype)) return value;
    return validJsonObject(metadata.metatype as Type<object>, value);
  }
}
