import { DynamicModule, Type } from '@nestjs/common';
import { PATTERN_HANDLER_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants';
import { REPOSITORY_ACTIVITY, ServiceName, sourceOfEvent } from '@dockyard/contracts';
import { BusServerOptions, ConsumerGroupDeclaration } from '@dockyard/messaging';

/** `PatternHandler.EVENT` of @nestjs/microservices (not exported from its entry point). */
const EVENT_HANDLER = 2;

/**
 * The consumer group a module's `BusServer` will subscribe, found before it starts: the event
 * types of its controllers' `@EventPattern` handlers, mapped to their publishers the way
 * `BusServer` does (`sourceOfEvent`). Activity is left out: it is best effort, never awaited.
 */
export function consumerGroupOf(
  module: DynamicModule,
  transport: BusServerOptions,
): ConsumerGroupDeclaration | undefined {
  const controllers: Type[] = [
    ...((Reflect.getMetadata('controllers', module.module) as Type[] | undefined) ?? []),
    ...((module.controllers as Type[] | undefined) ?? []),
  ];
  const sources = new Set<ServiceName>();
  for (const controller of controllers) {
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const method = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
      if (
        typeof method !== 'function' ||
        Reflect.getMetadata(PATTERN_HANDLER_METADATA, method) !== EVENT_HANDLER
      )
        continue;
      for (const type of (Reflect.getMetadata(PATTERN_METADATA, method) as unknown[]) ?? []) {
        if (type === REPOSITORY_ACTIVITY || typeof type !== 'string') continue;
        const source = sourceOfEvent(type);
        if (source) sources.add(source);
      }
    }
  }
  if (sources.size === 0) return undefined;
  if (!transport.group)
    throw new Error(`${module.module.name} handles events but its transport names no consumer group`);
  return { group: transport.group, sources: [...sources] };
}
