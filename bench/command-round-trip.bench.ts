import 'reflect-metadata';
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IsInt, IsString } from 'class-validator';
import { MessageMetadata } from '@dockyard/contracts';
import { BusClient, BusExceptionFilter, BusServer, KafkaBus, commandValidationPipe, sendCommand } from '@dockyard/messaging';
import { percentile, round } from './stats';

class EchoDto {
  @IsString() name!: string;
  @IsInt() n!: number;
}

@Controller()
class EchoController {
  @MessagePattern('accounts.echo')
  echo(@Payload() command: EchoDto) {
    return { name: command.name, n: command.n };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

const meta: MessageMetadata = { correlationId: 'bench', requestId: 'bench', actor: 'system:bench' };

/** Sequential round trips, then `concurrency` workers at once: latencies in ms and commands/s. */
async function measure(send: (i: number) => Promise<unknown>, alone: number, concurrency: number, each: number) {
  for (let i = 0; i < 30; i++) await send(i); // warm-up: metadata, group joins, JIT
  const single: number[] = [];
  for (let i = 0; i < alone; i++) {
    const t0 = process.hrtime.bigint();
    await send(i);
    single.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const concurrent: number[] = [];
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; i < each; i++) {
        const t0 = process.hrtime.bigint();
        await send(worker * each + i);
        concurrent.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    aloneP50: round(percentile(single, 50), 2),
    aloneP99: round(percentile(single, 99), 2),
    concurrentP50: round(percentile(concurrent, 50), 2),
    concurrentP99: round(percentile(concurrent, 99), 2),
    concurrentPerSecond: round(concurrent.length / seconds, 0),
  };
}

/**
 * One command round trip over real Kafka, two ways in the same run: the bus alone (a dispatcher
 * function on `serveCommands`, what every service wired by hand before issue 7) and through Nest
 * (`BusClient.send` → `BusServer` → a `@MessagePattern` handler with a validated DTO).
 */
export async function benchCommandRoundTrip(brokers: string[]): Promise<Record<string, number>> {
  const stamp = Date.now();
  const buses: KafkaBus[] = [];
  const bus = async (prefix: string, clientId: string) => {
    const b = new KafkaBus({ brokers, clientId, topicPrefix: prefix });
    await b.connect();
    buses.push(b);
    return b;
  };
  let app: INestMicroservice | undefined;
  try {
    const rawPrefix = `benchraw${stamp}`;
    const rawServer = await bus(rawPrefix, 'bench-raw-server');
    await rawServer.serveCommands('accounts', async (_pattern, payload) => payload);
    const rawClient = await bus(rawPrefix, 'bench-raw-client');
    const raw = await measure((i) => rawClient.send('accounts', 'accounts.echo', { name: 'x', n: i }, meta, { key: `k${i % 16}` }), 300, 8, 60);

    const nestPrefix = `benchnest${stamp}`;
    const nestServer = await bus(nestPrefix, 'bench-nest-server');
    app = await NestFactory.createMicroservice(EchoModule, { strategy: new BusServer(nestServer, { service: 'accounts' }), logger: ['error'] });
    app.useGlobalPipes(commandValidationPipe());
    app.useGlobalFilters(new BusExceptionFilter());
    await app.listen();
    const client = new BusClient(await bus(nestPrefix, 'bench-nest-client'), 'accounts');
    const nest = await measure((i) => sendCommand(client, 'accounts.echo', { name: 'x', n: i }, meta, `k${i % 16}`), 300, 8, 60);

    return {
      rawAloneP50: raw.aloneP50,
      rawAloneP99: raw.aloneP99,
      rawConcurrentP50: raw.concurrentP50,
      rawConcurrentP99: raw.concurrentP99,
      rawConcurrentPerSecond: raw.concurrentPerSecond,
      nestAloneP50: nest.aloneP50,
      nestAloneP99: nest.aloneP99,
      nestConcurrentP50: nest.concurrentP50,
      nestConcurrentP99: nest.concurrentP99,
      nestConcurrentPerSecond: nest.concurrentPerSecond,
    };
  } finally {
    await app?.close();
    for (const b of buses) await b.close();
  }
}
