import 'reflect-metadata';
import { runServiceProcess } from '@dockyard/runtime';
import { TokensModule } from './tokens.module';

void runServiceProcess('tokens', (runtime) => TokensModule.forRuntime(runtime), TokensModule.transport).catch((error) => {
  console.error(error);
  process.exit(1);
});
