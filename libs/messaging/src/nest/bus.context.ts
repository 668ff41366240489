import { BaseRpcContext } from '@nestjs/microservices';
import { MessageMetadata } from '@dockyard/contracts';

/** What `@Ctx()` gives a bus handler: the message's metadata (correlation id, actor, request) and pattern. */
export class BusContext extends BaseRpcContext<[MessageMetadata, string]> {
  getMetadata(): MessageMetadata {
    return this.args[0];
  }

  getPattern(): string {
    return this.args[1];
  }
}
