import { ValidateIf } from 'class-validator';

/**
 * A body field that may be left out, but when sent must have its type: unlike class-validator's
 * `@IsOptional()`, `null` is not "left out" (the docker client never sends null; a null password
 * or checksum is a wrong type, answered 400).
 */
export const OptionalField = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);
