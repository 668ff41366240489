import { PublishedEvent } from '@dockyard/contracts';
import { wavesOf } from './wave-fold';

const event = (streamId: string, streamVersion: number): PublishedEvent =>
  ({ streamId, streamVersion, type: 'T', position: String(streamVersion) }) as PublishedEvent;

describe('wavesOf', () => {
  it('puts the n-th event of each stream in wave n, each stream in version order', () => {
    const events = [event('a', 1), event('b', 1), event('a', 2), event('a', 3), event('c', 1), event('b', 2)];
    const waves = wavesOf(events).map((wave) => wave.map((e) => `${e.streamId}${e.streamVersion}`));
    expect(waves).toEqual([['a1', 'b1', 'c1'], ['a2', 'b2'], ['a3']]);
  });

  it('never puts two events of one stream in one wave', () => {
    const events = Array.from({ length: 50 }, (_, i) => event(`s${i % 7}`, Math.floor(i / 7) + 1));
    for (const wave of wavesOf(events)) expect(new Set(wave.map((e) => e.streamId)).size).toBe(wave.length);
    expect(wavesOf(events).flat()).toHaveLength(50);
  });
});
