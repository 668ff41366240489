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

  it('an error line that is not a broker answer stays an error; a warning stays a warning', () => {
    expect(kafkaLogLevel(logLevel.ERROR, {})).toBe('error');
    expect(kafkaLogLevel(logLevel.ERROR, { error: new Error('This server is not the leader for that topic-partition') })).toBe('error');
    expect(kafkaLogLevel(logLevel.WARN, {})).toBe('warn');
  });
});
