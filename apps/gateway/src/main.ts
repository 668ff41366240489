import 'reflect-metadata';
import { createDistributedRuntime, startHealthServer, stopOnSignals } from '@dockyard/runtime';
import { createGatewayApp } from './gateway.app';

async function main(): Promise<void> {
  const runtime = await createDistributedRuntime('gateway');
  const app = await createGatewayApp(runtime);
  await app.listen(runtime.config.port, runtime.config.host);
  runtime.logger.info({ port: runtime.config.port }, 'gateway listening');
  const health = await startHealthServer(runtime);
  const stop = async () => {
    await health.close();
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  stopOnSignals(stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
