export * from './gateway.app';
export { type SoleGateway, awaitSoleGatewayLock } from './hot/read-model-changes';
