import 'reflect-metadata';
import { runServiceProcess } from '@dockyard/runtime';
import { AccountsModule } from './accounts.module';

void runServiceProcess('accounts', (runtime) => AccountsModule.forRuntime(runtime), AccountsModule.transport).catch((error) => {
  console.error(error);
  process.exit(1);
});
