import { processHistogram } from './process-metric';

/**
 * Time a service spends handling one command, by pattern and outcome (`ok`, a DomainError code, or
 * `error`), measured in the bus server around its handler: the gateway's
 * `dockyard_command_seconds` is the round trip, this is the service's own part of it.
 */
export const commandHandlingSeconds = processHistogram<'pattern' | 'outcome'>({
  name: 'dockyard_command_handling_seconds',
  help: 'Time a service took to handle a command (its handler, without the transport)',
  labelNames: ['pattern', 'outcome'],
  buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});
