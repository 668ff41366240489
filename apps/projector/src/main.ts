import 'reflect-metadata';
import { runServiceProcess } from '@dockyard/runtime';
import { ProjectorModule } from './projector.module';

void runServiceProcess('projector', (runtime) => ProjectorModule.forRuntime(runtime), ProjectorModule.transport).catch((error) => {
  console.error(error);
  process.exit(1);
});
