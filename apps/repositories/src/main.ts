import 'reflect-metadata';
import { runServiceProcess } from '@dockyard/runtime';
import { RepositoriesModule } from './repositories.module';

void runServiceProcess('repositories', (runtime) => RepositoriesModule.forRuntime(runtime), RepositoriesModule.transport).catch((error) => {
  console.error(error);
  process.exit(1);
});
