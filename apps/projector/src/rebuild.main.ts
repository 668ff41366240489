import 'reflect-metadata';
import { createDistributedRuntime } from '@dockyard/runtime';
import { ReadModelRebuild } from './rebuild/read-model-rebuild';
import { REBUILDABLE_READ_MODELS } from './rebuild/rebuildable-read-models';

/**
 * `npm run rebuild -- <read model> [--verify]`, distributed mode, with the projector's environment
 * (DATABASE_URL or READ_DATABASE_URL, KAFKA_BROKERS): rebuilds the read model from the services'
 * stores while the hub keeps serving, then swaps it in. `--verify` compares the copy with the live
 * tables just before the swap (a full comparison, inside the swap's short lock). Prints a report.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = args.find((arg) => !arg.startsWith('--'));
  const model = name && Object.hasOwn(REBUILDABLE_READ_MODELS, name) ? REBUILDABLE_READ_MODELS[name] : undefined;
  if (!name || !model) {
    throw new Error(`usage: npm run rebuild -- <${Object.keys(REBUILDABLE_READ_MODELS).join('|')}> [--verify]`);
  }
  const runtime = await createDistributedRuntime('projector-rebuild');
  try {
    const report = await new ReadModelRebuild(runtime, name, model).run({ verify: args.includes('--verify') });
    console.log(JSON.stringify(report));
  } finally {
    await runtime.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
