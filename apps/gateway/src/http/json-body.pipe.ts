import { BadRequestException, Injectable, PipeTransform, ValidationPipe } from '@nestjs/common';

/**
 * Validates a JSON body against a class-validator DTO: it must be an object, with only the DTO's
 * fields, of the right types. Anything else is a 400 with the reasons.
 */
@Injectable()
export class JsonBodyPipe implements PipeTransform {
  private readonly validation = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: false,
  });

  async transform(value: unknown, metadata: Parameters<PipeTransform['transform']>[1]): Promise<unknown> {
    // Routes without a DTO (the docker index calls take arrays) read the body themselves.
    if (metadata.type !== 'body' || !metadata.metatype || metadata.metatype === Object || metadata.metatype === Array) {
      return value;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new BadRequestException('The body must be a JSON object');
    }
    return this.validation.transform(value, metadata);
  }
}
