import { MessageMetadata, ServiceName, isDomainError } from '@dockyard/contracts';
import { MessageBus, SendOptions } from '@dockyard/messaging';
import { GatewayMetrics } from './gateway-metrics';

/** The bus as the gateway uses it, with every command's round trip timed. */
export function timedBus(bus: MessageBus, metrics: GatewayMetrics): MessageBus {
  return {
    serveCommands: (service, handlers) => bus.serveCommands(service, handlers),
    publish: (source, events) => bus.publish(source, events),
    publishAhead: bus.publishAhead,
    publishStopWaitMs: bus.publishStopWaitMs,
    subscribe: (group, sources, handler) => bus.subscribe(group, sources, handler),
    recordActivity: (activity) => bus.recordActivity(activity),
    subscribeActivity: (group, handler) => bus.subscribeActivity(group, handler),
    status: () => bus.status(),
    close: () => bus.close(),
    async send<TReply>(service: ServiceName, pattern: string, payload: unknown, metadata: MessageMetadata, options?: SendOptions) {
      const end = metrics.commandSeconds.startTimer({ service, pattern });
      try {
        const reply = await bus.send<TReply>(service, pattern, payload, metadata, options);
        end({ outcome: 'ok' });
        return reply;
      } catch (error) {
        end({ outcome: isDomainError(error) ? error.code : 'error' });
        throw error;
      }
    },
  };
}
