import 'reflect-metadata';
import { runServiceProcess } from '@dockyard/runtime';
import { AccountsModule } from './accounts.module';

void runServiceProcess('accounts', (runtime) => AccountsModule.forRuntime(runtime), { service: 'accounts' }).catch((error) => {
  console.error(error);
  process.exit(1);
});
