import { ClientProxy } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import { IssuedTokenRecord } from '@dockyard/contracts';
import { IssuedTokensAudit } from './issued-tokens-audit';

/** A tokens service behind the bus: while `away`, every command fails after `timeoutMs` (the command timeout). */
class TokensServiceDouble {
  away = false;
  attempts = 0;
  readonly recorded: string[] = [];

  constructor(private readonly timeoutMs: number) {}

  get client(): ClientProxy {
    return {
      send: (_pattern: string, request: { payload: { grants: IssuedTokenRecord[] } }) =>
        new Observable((subscriber) => {
          this.attempts++;
          const away = this.away;
          const timer = setTimeout(() => {
            if (away) return subscriber.error(new Error('command timed out'));
            this.recorded.push(...request.payload.grants.map((grant) => grant.event.tokenId));
            subscriber.next({ appended: request.payload.grants.length });
            subscriber.complete();
          }, away ? this.timeoutMs : 1);
          return () => clearTimeout(timer);
        }),
    } as unknown as ClientProxy;
  }
}

const grant = (n: number): IssuedTokenRecord => ({
  event: { tokenId: `t${n}`, repository: 'alice/web', repositoryId: 'r1', access: 'write', username: 'alice', expiresAt: new Date(0).toISOString(), kid: 'k' },
  metadata: { correlationId: `c${n}`, actor: 'user:alice' },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('IssuedTokensAudit', () => {
  it('during an outage, a flood of grants starts one send at a time, not one per grant; after it, each grant is recorded once, in order', async () => {
    const tokens = new TokensServiceDouble(50);
    const audit = new IssuedTokensAudit(tokens.client, { batchSize: 10, flushAfterMs: 5 });
    tokens.away = true;
    for (let n = 0; n < 1000; n++) audit.record(grant(n));
    await sleep(400);
    // Before: every grant past the batch size chained a send of its own (991 here), tried back to
    // back as each timed out (one every 50 ms). Now: the send that ran, the one flush queued behind
    // it, then a pause until the retry.
    expect(tokens.attempts).toBeLessThanOrEqual(2);
    tokens.away = false;
    await audit.flush();
    expect(tokens.recorded).toEqual(Array.from({ length: 1000 }, (_, n) => `t${n}`));
  });

  it('flushes asked for while a send runs share one queued flush, which takes every grant pending by then', async () => {
    const tokens = new TokensServiceDouble(50);
    const audit = new IssuedTokensAudit(tokens.client, { batchSize: 100, flushAfterMs: 1000 });
    audit.record(grant(1));
    const first = audit.flush();
    audit.record(grant(2));
    const second = audit.flush();
    audit.record(grant(3));
    const third = audit.flush();
    expect(third).toBe(second);
    await Promise.all([first, second, third]);
    expect(tokens.recorded).toEqual(['t1', 't2', 't3']);
    // One send for the first grant, one for the two that waited behind it.
    expect(tokens.attempts).toBe(2);
  });

  it('keeps a failed batch first in line and sends it again on its own, after a pause', async () => {
    const tokens = new TokensServiceDouble(5);
    const audit = new IssuedTokensAudit(tokens.client, { batchSize: 2, flushAfterMs: 5 });
    tokens.away = true;
    audit.record(grant(1));
    audit.record(grant(2));
    await sleep(30);
    expect(tokens.recorded).toEqual([]);
    tokens.away = false;
    audit.record(grant(3));
    // The retry comes from its own timer (1 s), not from the grant recorded meanwhile.
    await sleep(50);
    expect(tokens.recorded).toEqual([]);
    await sleep(1200);
    expect(tokens.recorded).toEqual(['t1', 't2', 't3']);
  });
});
