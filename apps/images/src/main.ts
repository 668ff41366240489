import 'reflect-metadata';
import { runServiceProcess } from '@dockyard/runtime';
import { ImagesModule } from './images.module';

void runServiceProcess('images', (runtime) => ImagesModule.forRuntime(runtime), { service: 'images', group: 'images' }).catch((error) => {
  console.error(error);
  process.exit(1);
});
