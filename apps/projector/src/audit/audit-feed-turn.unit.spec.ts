import { AuditFeedTurn } from './audit-feed-turn';

describe('AuditFeedTurn', () => {
  it('runs one write at a time, in the order they asked', async () => {
    const turn = new AuditFeedTurn();
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        turn.take(async () => {
          most = Math.max(most, ++running);
          await new Promise((r) => setTimeout(r, 5));
          order.push(n);
          running--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });

  it('a write that fails gives its error to its caller and the turn to the next', async () => {
    const turn = new AuditFeedTurn();
    const failed = turn.take(async () => {
      throw new Error('feed write failed');
    });
    const next = turn.take(async () => 'written');
    await expect(failed).rejects.toThrow('feed write failed');
    await expect(next).resolves.toBe('written');
  });
});
