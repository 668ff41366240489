import 'reflect-metadata';
import { runServiceProcess } from '@dockyard/runtime';
import { AuditModule } from './audit/audit.module';
import { ProjectorModule } from './projector.module';

void runServiceProcess('projector', (runtime) => ProjectorModule.forRuntime(runtime), ProjectorModule.transport, [
  { module: (runtime) => AuditModule.forRuntime(runtime), server: AuditModule.transport },
]).catch((error) => {
  console.error(error);
  process.exit(1);
});
