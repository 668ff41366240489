import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Controller, INestMicroservice, Inject, Module } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Writable } from 'node:stream';
import { ACCOUNTS_EVENTS, PublishedEvent } from '@dockyard/contracts';
import { BusContext, InProcessBus } from '@dockyard/messaging';
import { promiseHooksAreOn } from '@dockyard/testing';
import { Logger, correlated, createLogger } from './logger';
import { startBusMicroservice } from './service-process';

const LOGGER = Symbol('Logger');

/** A handler that logs after an await, as real handlers do (a store, a hash). */
@Controller()
class ChattyController {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  @MessagePattern('accounts.chat')
  async chat(@Payload() command: { text: string }, @Ctx() context: BusContext) {
    await new Promise((r) => setTimeout(r, 5));
    correlated(this.logger, context.getMetadata()).info({ text: command.text }, 'chatting');
    return { ok: true };
  }

  @EventPattern(ACCOUNTS_EVENTS.UserRegistered)
  async registered(@Payload() event: PublishedEvent) {
    await Promise.resolve();
    correlated(this.logger, event.metadata).info({ streamId: event.streamId }, 'event seen');
  }
}

describe('structured logs carry the correlation id of what caused them', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    'test',
    'info',
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    }),
  );
  let bus: InProcessBus;
  let service: INestMicroservice;

  beforeAll(async () => {
    bus = new InProcessBus();
    @Module({ controllers: [ChattyController], providers: [{ provide: LOGGER, useValue: logger }] })
    class ChattyModule {}
    service = await startBusMicroservice({ module: ChattyModule }, bus, { service: 'accounts', group: 'chatty' });
  });

  afterAll(async () => {
    await service.close();
    await bus.close();
  });

  it('a command handled by a service logs lines with the command’s correlationId', async () => {
    await Promise.all([
      bus.send('accounts', 'accounts.chat', { text: 'one' }, { correlationId: 'corr-one', actor: 'user:a' }),
      bus.send('accounts', 'accounts.chat', { text: 'two' }, { correlationId: 'corr-two', actor: 'user:b' }),
    ]);
    const chats = lines.filter((line) => line.msg === 'chatting');
    expect(chats.map(({ text, correlationId }) => ({ text, correlationId }))).toEqual(
      expect.arrayContaining([
        { text: 'one', correlationId: 'corr-one' },
        { text: 'two', correlationId: 'corr-two' },
      ]),
    );
  });

  it('an event handler logs with the event’s correlationId; a line outside any message has none', async () => {
    await bus.publish('accounts', [
      {
        eventId: 'e1',
        source: 'accounts',
        streamId: 'user-1',
        streamVersion: 1,
        position: '1',
        type: ACCOUNTS_EVENTS.UserRegistered,
        schemaVersion: 1,
        data: {},
        metadata: { correlationId: 'corr-event', actor: 'system:test', occurredAt: new Date().toISOString() },
        hash: '',
        prevHash: '',
        secretDigest: '',
      },
    ]);
    expect(lines.find((line) => line.msg === 'event seen')).toMatchObject({ streamId: 'user-1', correlationId: 'corr-event' });
    logger.info('outside');
    expect(lines.find((line) => line.msg === 'outside')).not.toHaveProperty('correlationId');
  });

  it('handling commands and events turned no promise hooks on (they cost the standalone hub a fifth of its reads)', async () => {
    expect(lines.some((line) => line.msg === 'chatting')).toBe(true);
    expect(await promiseHooksAreOn()).toBe(false);
    // The probe sees one AsyncLocalStorage scope, and the hooks go off again with it.
    const scope = new AsyncLocalStorage();
    scope.run({}, () => undefined);
    expect(await promiseHooksAreOn()).toBe(true);
    scope.disable();
    expect(await promiseHooksAreOn()).toBe(false);
  });
});
