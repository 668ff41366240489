import { Controller, INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { IsInt, IsString, Max } from 'class-validator';
import {
  ACCOUNTS_EVENTS,
  DomainError,
  PublishedEvent,
  REPOSITORY_ACTIVITY,
  RepositoryActivity,
  isDomainError,
} from '@dockyard/contracts';
import { MessageBus } from '../message-bus';
import { BusClient, sendCommand } from './bus.client';
import { BusContext } from './bus.context';
import { BusExceptionFilter } from './bus-exception.filter';
import { BusServer } from './bus.server';
import { commandValidationPipe } from './command-validation.pipe';

class DoubleDto {
  @IsString() label!: string;
  @IsInt() @Max(1000) n!: number;
}

const seen = { events: [] as string[], activity: [] as string[], metadata: [] as unknown[] };

@Controller()
class ProbeController {
  @MessagePattern('accounts.double')
  double(@Payload() command: DoubleDto, @Ctx() context: BusContext) {
    seen.metadata.push(context.getMetadata());
    return { label: command.label, doubled: command.n * 2, isDto: command instanceof DoubleDto };
  }

  @MessagePattern('accounts.refuse')
  refuse(): never {
    throw new DomainError('forbidden', 'not yours');
  }

  @MessagePattern('accounts.crash')
  crash(): never {
    throw new Error('secret stack detail');
  }

  @MessagePattern('accounts.nothing')
  nothing(): void {
    return undefined;
  }

  @EventPattern(ACCOUNTS_EVENTS.UserRegistered)
  async registered(@Payload() event: PublishedEvent) {
    await new Promise((r) => setTimeout(r, 5));
    seen.events.push(`${event.streamId}@${event.streamVersion}`);
  }

  @EventPattern(REPOSITORY_ACTIVITY)
  async activity(@Payload() activity: RepositoryActivity) {
    seen.activity.push(activity.activityId);
  }
}

const event = (stream: string, version: number, type: string = ACCOUNTS_EVENTS.UserRegistered): PublishedEvent => ({
  eventId: `${stream}-${version}`,
  source: 'accounts',
  streamId: stream,
  streamVersion: version,
  position: String(version),
  type,
  schemaVersion: 1,
  data: {},
  metadata: { correlationId: 'c', actor: 'system:test', occurredAt: new Date(0).toISOString() },
  hash: '',
  prevHash: '',
  secretDigest: '',
});

const until = async (check: () => boolean, timeoutMs = 20000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/**
 * The Nest side of a transport: `@MessagePattern` / `@EventPattern` controllers behind a BusServer,
 * called through a BusClient, on a given MessageBus — run against the in-process bus and Kafka.
 */
export function describeBusTransport(name: string, makeBus: () => Promise<MessageBus>): void {
  describe(`Nest transport over the bus: ${name}`, () => {
    let bus: MessageBus;
    let app: INestMicroservice;
    let client: BusClient;
    const meta = { correlationId: 'corr-9', actor: 'user:alice', requestId: 'req-9' };

    beforeAll(async () => {
      bus = await makeBus();
      const module = await Test.createTestingModule({ controllers: [ProbeController] }).compile();
      app = module.createNestMicroservice({ strategy: new BusServer(bus, { service: 'accounts', group: `probe-${name}` }) });
      app.useGlobalPipes(commandValidationPipe());
      app.useGlobalFilters(new BusExceptionFilter());
      await app.listen();
      client = new BusClient(bus, 'accounts');
    });
    afterAll(async () => {
      await app?.close();
      await bus?.close();
    });

    it('routes a command to its @MessagePattern handler with a validated DTO and the metadata', async () => {
      const reply = await sendCommand(client, 'accounts.double', { label: 'x', n: 21 }, meta, 'k1');
      expect(reply).toEqual({ label: 'x', doubled: 42, isDto: true });
      expect(seen.metadata).toContainEqual(meta);
    });

    it('a malformed command gets the typed invalid error, and the handler never runs', async () => {
      const before = seen.metadata.length;
      for (const payload of [{ label: 'x', n: 'not a number' }, { label: 'x', n: 5000 }, { n: 1 }, { label: 'x', n: 1, extra: true }]) {
        const error = (await sendCommand(client, 'accounts.double', payload, meta).catch((e) => e)) as DomainError;
        expect(isDomainError(error)).toBe(true);
        expect(error).toMatchObject({ code: 'invalid' });
        expect(error.message).toMatch(/Invalid command/);
      }
      expect(seen.metadata.length).toBe(before);
    });

    it('a DomainError comes back with its code; any other error as internal, without its detail', async () => {
      await expect(sendCommand(client, 'accounts.refuse', {}, meta)).rejects.toMatchObject({ code: 'forbidden', message: 'not yours' });
      const crashed = (await sendCommand(client, 'accounts.crash', {}, meta).catch((e) => e)) as Error;
      expect(isDomainError(crashed)).toBe(false);
      expect(crashed.message).not.toContain('secret stack detail');
    });

    it('an unknown pattern is an invalid command; a handler that answers nothing replies null', async () => {
      await expect(sendCommand(client, 'accounts.no-such-thing', {}, meta)).rejects.toMatchObject({ code: 'invalid' });
      await expect(sendCommand(client, 'accounts.nothing', {}, meta)).resolves.toBeNull();
    });

    it('delivers events to their @EventPattern handler per stream in order, passing over other types', async () => {
      await bus.publish('accounts', [event('u-1', 1), event('u-2', 1), event('u-1', 2, 'SomethingElse'), event('u-1', 3)]);
      await until(() => seen.events.length >= 3);
      expect(seen.events.filter((e) => e.startsWith('u-1'))).toEqual(['u-1@1', 'u-1@3']);
      expect(seen.events).toContain('u-2@1');
    });

    it('emits activity through the client to the @EventPattern(REPOSITORY_ACTIVITY) handler', async () => {
      await new Promise<void>((resolve, reject) =>
        client.emit(REPOSITORY_ACTIVITY, { activityId: 'a-1', repositoryId: 'r', kind: 'pull', at: new Date(0).toISOString() }).subscribe({
          complete: resolve,
          error: reject,
        }),
      );
      await until(() => seen.activity.includes('a-1'));
      expect(seen.activity).toEqual(['a-1']);
    });
  });
}
