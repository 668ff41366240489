import { Controller, Inject, Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { READ_EVENTS_COMMANDS, READ_STREAM_COMMANDS, ServiceName, VERIFY_STREAMS_COMMANDS } from '@dockyard/contracts';
import { ReadEventsDto, ReadStreamDto, VerifyStreamsDto, readPublishedEvents, readPublishedStream, verifyOwnStreams } from '@dockyard/eventstore';
import { HUB_RUNTIME, HubRuntime } from './hub-runtime';

/**
 * The commands every event-sourced service answers about its own store, the same for each but for
 * the service's name and schema: a consumer repairing a gap reads a stream back, a read model being
 * rebuilt pages through the whole store, and the audit API's `verify` has the service recompute its
 * own hash chains. One class per service (a controller's patterns are fixed when it is declared).
 */
export function ownStoreMessageController(service: ServiceName, schema: string): Type<unknown> {
  @Controller()
  class OwnStoreMessageController {
    constructor(@Inject(HUB_RUNTIME) private readonly runtime: HubRuntime) {}

    @MessagePattern(READ_STREAM_COMMANDS[service])
    readStream(@Payload() command: ReadStreamDto) {
      return readPublishedStream(this.runtime.pool(service), schema, service, command);
    }

    @MessagePattern(READ_EVENTS_COMMANDS[service])
    readEvents(@Payload() command: ReadEventsDto) {
      return readPublishedEvents(this.runtime.pool(service), schema, service, command);
    }

    @MessagePattern(VERIFY_STREAMS_COMMANDS[service])
    verifyStreams(@Payload() command: VerifyStreamsDto) {
      return verifyOwnStreams(this.runtime.pool(service), schema, command);
    }
  }
  Object.defineProperty(OwnStoreMessageController, 'name', { value: `${service[0].toUpperCase()}${service.slice(1)}StoreMessageController` });
  return OwnStoreMessageController;
}
