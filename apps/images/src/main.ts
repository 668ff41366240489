import 'reflect-metadata';
import { runServiceProcess } from '@dockyard/runtime';
import { ImagesModule } from './images.module';

void runServiceProcess('images', (runtime) => ImagesModule.forRuntime(runtime), ImagesModule.transport).catch((error) => {
  console.error(error);
  process.exit(1);
});
