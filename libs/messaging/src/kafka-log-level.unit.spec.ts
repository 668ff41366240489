import { logLevel } from 'kafkajs';
import { kafkaLogLevel } from './kafka-log-level';

describe('the level of a kafkajs log line', () => {
  it('an error answer kafkajs retries by itself is a warning (what a service start against a starting broker writes)', () => {
    expect(kafkaLogLevel(logLevel.ERROR, { error: 'This server is not the leader for that topic-partition' })).toBe('warn');
    expect(kafkaLogLevel(logLevel.ERROR, { error: "The coordinator is loading and hence can't process requests for this group" })).toBe('warn');
  });

  it('an error answer kafkajs gives up on stays an error', () => {
    expect(kafkaLogLevel(logLevel.ERROR, { error: 'Not authorized to access topics: [Topic authorization failed]' })).toBe('error');
    expect(kafkaLogLevel(logLevel.ERROR, { error: 'The request attempted to perform an operation on an invalid topic' })).toBe('error');
  });

  it('a consumer crash on an answer kafkajs retries, and its restart, are warnings; a crash on anything else stays an error', () => {
    // What a bench's distributed hub logged while its broker was still loading the group coordinator.
    expect(kafkaLogLevel(logLevel.ERROR, { message: "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group" })).toBe('warn');
    expect(kafkaLogLevel(logLevel.ERROR, { message: 'Restarting the consumer in 100ms' })).toBe('warn');
    expect(kafkaLogLevel(logLevel.ERROR, { message: 'Crash: KafkaJSProtocolError: Not authorized to access group: Group authorization failed' })).toBe('error');
    expect(kafkaLogLevel(logLevel.ERROR, { message: 'Crash: TypeError: Cannot read properties of undefined' })).toBe('error');
  });

  it('an error line that is not a broker answer stays an error; a warning stays a warning', () => {
    expect(kafkaLogLevel(logLevel.ERROR, {})).toBe('error');
    expect(kafkaLogLevel(logLevel.ERROR, { error: new Error('This server is not the leader for that topic-partition') })).toBe('error');
    expect(kafkaLogLevel(logLevel.WARN, {})).toBe('warn');
  });
});
