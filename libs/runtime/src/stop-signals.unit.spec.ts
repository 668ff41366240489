import { stopOnce } from './stop-signals';

describe('stopOnce', () => {
  it('runs the shutdown on the first call only; a second signal joins the same run', async () => {
    let runs = 0;
    let finish!: () => void;
    const stop = stopOnce(() => {
      runs++;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    const first = stop();
    const second = stop();
    expect(second).toBe(first);
    finish();
    await first;
    await stop();
    expect(runs).toBe(1);
  });
});
