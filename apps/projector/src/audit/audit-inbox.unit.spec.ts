import { ACCOUNTS_EVENTS, PublishedEvent, TOKENS_EVENTS } from '@dockyard/contracts';
import { GENESIS_HASH } from '@dockyard/eventstore';
import { batchedIntoFeed } from './audit-inbox';

const event = (overrides: Partial<PublishedEvent>): PublishedEvent =>
  ({ type: TOKENS_EVENTS.TokenIssued, streamId: 'token-t', streamVersion: 1, hash: 'h'.repeat(64), prevHash: GENESIS_HASH, ...overrides }) as PublishedEvent;

describe('batchedIntoFeed', () => {
  it('takes a TokenIssued that is the first version of its stream, chained onto the genesis hash', () => {
    expect(batchedIntoFeed(event({}))).toBe(true);
    expect(batchedIntoFeed(event({ hash: '', prevHash: '' }))).toBe(true); // published before hashes were kept
  });
  it('leaves everything else to the StreamConsumer: a later version, a broken chain, another type', () => {
    expect(batchedIntoFeed(event({ streamVersion: 2 }))).toBe(false);
    expect(batchedIntoFeed(event({ prevHash: 'f'.repeat(64) }))).toBe(false);
    expect(batchedIntoFeed(event({ type: ACCOUNTS_EVENTS.UserRegistered }))).toBe(false);
  });
});
