import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from '@dockyard/contracts';

const describe = (errors: ValidationError[], parent = ''): string[] =>
  errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    return [...Object.values(error.constraints ?? {}), ...describe(error.children ?? [], path)];
  });

/**
 * Validates a `@Payload()` DTO (class-validator). A malformed command is answered with the typed
 * `invalid` error, like any broken rule, and never reaches its handler.
 */
export const commandValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => new DomainError('invalid', `Invalid command: ${describe(errors).join('; ')}`),
  });
