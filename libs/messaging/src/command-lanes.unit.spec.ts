import { CommandLanes, LaneMessage } from './command-lanes';

const message = (offset: number, key: string | null, partition = 0): LaneMessage => ({ topic: 't', partition, offset: String(offset), key });

/** A handler that runs until the test lets it finish. */
const gated = (log: string[], name: string) => {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return {
    handle: async () => {
      log.push(`start ${name}`);
      await gate;
      log.push(`end ${name}`);
    },
    finish: open,
  };
};
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CommandLanes: commands concurrent across keys, in order within a key', () => {
  it('a slow command does not hold up a command of another key', async () => {
    const log: string[] = [];
    const lanes = new CommandLanes(8, () => undefined);
    const slow = gated(log, 'a1');
    const fast = gated(log, 'b1');
    await lanes.admit(message(0, 'a'), slow.handle);
    await lanes.admit(message(1, 'b'), fast.handle);
    fast.finish();
    await settle();
    expect(log).toEqual(['start a1', 'start b1', 'end b1']);
    slow.finish();
    await lanes.drained();
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1']);
  });

  it('commands of one key run one after the other, in offset order; so do commands without a key', async () => {
    const log: string[] = [];
    const lanes = new CommandLanes(8, () => undefined);
    const first = gated(log, 'a1');
    const second = gated(log, 'a2');
    const unkeyed = [gated(log, 'n1'), gated(log, 'n2')];
    await lanes.admit(message(0, 'a'), first.handle);
    await lanes.admit(message(1, 'a'), second.handle);
    await lanes.admit(message(2, null), unkeyed[0].handle);
    await lanes.admit(message(3, null), unkeyed[1].handle);
    second.finish();
    unkeyed[1].finish();
    await settle();
    expect(log).toEqual(['start a1', 'start n1']);
    first.finish();
    unkeyed[0].finish();
    await lanes.drained();
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
    expect(log.indexOf('start n2')).toBeGreaterThan(log.indexOf('end n1'));
  });

  it('never reports an offset handled while an earlier one of its partition still runs', async () => {
    const handled: string[] = [];
    const lanes = new CommandLanes(8, (m) => handled.push(`${m.partition}:${m.offset}`));
    const log: string[] = [];
    const [p0o0, p0o1, p0o2, p1o0] = [gated(log, '0'), gated(log, '1'), gated(log, '2'), gated(log, 'p1')];
    await lanes.admit(message(0, 'a'), p0o0.handle);
    await lanes.admit(message(1, 'b'), p0o1.handle);
    await lanes.admit(message(2, 'c'), p0o2.handle);
    await lanes.admit(message(0, 'd', 1), p1o0.handle);
    p0o2.finish();
    p0o1.finish();
    p1o0.finish();
    await settle();
    expect(handled).toEqual(['1:0']); // partition 0's offset 0 still runs: nothing of it is handled
    p0o0.finish();
    await lanes.drained();
    expect(handled).toEqual(['1:0', '0:2']); // then all three at once, through offset 2
  });

  it('a command that throws does not stop its lane, and counts as handled', async () => {
    const handled: string[] = [];
    const lanes = new CommandLanes(8, (m) => handled.push(m.offset));
    const ran: string[] = [];
    await lanes.admit(message(0, 'a'), async () => {
      throw new Error('reply not sent');
    });
    await lanes.admit(message(1, 'a'), async () => void ran.push('a2'));
    await lanes.drained();
    expect(ran).toEqual(['a2']);
    expect(handled.at(-1)).toBe('1');
  });

  it('takes no new command while `limit` are running: the consumer waits for a slot', async () => {
    const log: string[] = [];
    const lanes = new CommandLanes(2, () => undefined);
    const [one, two, three] = [gated(log, '1'), gated(log, '2'), gated(log, '3')];
    await lanes.admit(message(0, 'a'), one.handle);
    await lanes.admit(message(1, 'b'), two.handle);
    let admitted = false;
    const third = lanes.admit(message(2, 'c'), three.handle).then(() => (admitted = true));
    await settle();
    expect(admitted).toBe(false);
    two.finish();
    await third;
    expect(log).toContain('start 3');
    one.finish();
    three.finish();
    await lanes.drained();
  });
});
