import { Pool } from 'pg';
import { IssuedTokenRecord, TOKENS_EVENTS, tokenStreamId } from '@dockyard/contracts';
import { WrongExpectedVersionError, appendInTransaction, inTransaction } from '@dockyard/eventstore';
import { TOKENS_SCHEMA } from './revocations';

/** Two deliveries of one batch racing: the loser finds the winner's events on its next look. */
const ATTEMPTS = 3;

/**
 * The TokenIssued events of grants the gateways signed themselves. Idempotent by token id: a grant's
 * event is version 1 of stream `token-<tokenId>`, so a batch delivered again (the gateway retries
 * until it hears back; Kafka delivers at least once) appends nothing twice.
 */
export class IssuedTokensLog {
  constructor(private readonly pool: Pool) {}

  /** Appends the grants not recorded yet, all in one transaction; resolves with how many. */
  async append(grants: IssuedTokenRecord[]): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.appendMissing(grants);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  private async appendMissing(grants: IssuedTokenRecord[]): Promise<number> {
    const streams = [...new Map(grants.map((grant) => [tokenStreamId(grant.event.tokenId), grant])).entries()];
    if (streams.length === 0) return 0;
    const { rows } = await this.pool.query<{ stream_id: string }>(
      `SELECT DISTINCT stream_id FROM ${TOKENS_SCHEMA}.events WHERE stream_id = ANY($1)`,
      [streams.map(([streamId]) => streamId)],
    );
    const recorded = new Set(rows.map((row) => row.stream_id));
    const missing = streams.filter(([streamId]) => !recorded.has(streamId));
    if (missing.length === 0) return 0;
    await inTransaction(this.pool, async (client) => {
      for (const [streamId, { event, metadata, issuedAt }] of missing) {
        // Dated when the gateway signed it, not when its batch arrived: the audit orders by that.
        await appendInTransaction(client, TOKENS_SCHEMA, streamId, 0, [{ type: TOKENS_EVENTS.TokenIssued, data: { ...event } }], metadata, undefined, issuedAt);
      }
    });
    return missing.length;
  }
}
