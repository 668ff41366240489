import { Pool } from 'pg';
import { READ_EVENTS_MAX_EVENTS } from '@dockyard/contracts';
import { createTestDatabase } from '../../testing/src';
import { EventStore, readPublishedEvents, runMigrations } from './index';

const meta = { correlationId: 'c-1', actor: 'user:test' };
/** The page size `read-events` keeps to (its events' JSON); only a page of one event may pass it. */
const PAGE_BYTES = 512 * 1024;
const jsonOf = (events: unknown[]) =>
  events.reduce<number>((sum, event) => sum + JSON.stringify(event).length, 0);

/**
 * `<service>.read-events` pages: the owner's query cuts the rows near the page's size by their
 * stored size, the exact cut is made on the published JSON. Pages must cover the store in position
 * order, each event once, whatever the events' sizes.
 */
describe('reading a store page by page (read-events)', () => {
  let pool: Pool;
  let store: EventStore;

  beforeAll(async () => {
    const url = await createTestDatabase('readevents');
    await runMigrations(url, 'svc');
    pool = new Pool({ connectionString: url, max: 4 });
    store = new EventStore(pool, 'svc');
  });
  afterAll(async () => {
    await pool.end();
  });

  const allPages = async () => {
    const pages = [];
    let after = '0';
    for (;;) {
      const page = await readPublishedEvents(pool, 'svc', 'accounts', {
        afterPosition: after,
        limit: READ_EVENTS_MAX_EVENTS,
      });
      if (page.length === 0) return pages;
      pages.push(page);
      after = page[page.length - 1].position;
    }
  };

  it('covers every event once, in order, in pages of about 512 KiB, small, large and over-large events alike', async () => {
    // Small events (many fit a page), large ones (a few do), and one larger than a page by itself,
    // compressible and not (the stored size of a compressed value understates its JSON).
    const random = (bytes: number) =>
      Buffer.from(Array.from({ length: bytes }, () => Math.floor(Math.random() * 256))).toString('base64');
    const sizes = [
      ...Array(3000).fill(100),
      ...Array(40).fill(30000),
      700000,
      ...Array(20).fill(60000),
      ...Array(500).fill(10),
    ];
    let n = 0;
    for (let i = 0; i < sizes.length; i += 100) {
      const batch = sizes.slice(i, i + 100).map((size) => ({
        type: 'Happened',
        data: { n: n++, filler: n % 2 ? 'x'.repeat(size) : random(Math.ceil((size * 3) / 4)) },
      }));
      await store.append(`stream-${i}`, 0, batch, meta);
    }

    const pages = await allPages();
    const seen = pages.flat().map((event) => (event.data as { n: number }).n);
    expect(seen).toEqual(sizes.map((_, i) => i));
    for (const page of pages) {
      expect(page.length).toBeLessThanOrEqual(READ_EVENTS_MAX_EVENTS);
      if (page.length > 1) expect(jsonOf(page)).toBeLessThanOrEqual(PAGE_BYTES);
    }
    // Pages are filled, not cut short by the estimate: every page but the last was full by count or
    // would have passed the size with its next event.
    for (let p = 0; p < pages.length - 1; p++) {
      const next = pages[p + 1][0];
      const full = pages[p].length === READ_EVENTS_MAX_EVENTS || jsonOf([...pages[p], next]) > PAGE_BYTES;
      expect({ page: p, full }).toEqual({ page: p, full: true });
    }
    expect(pages.some((page) => page.length === 1 && jsonOf(page) > PAGE_BYTES)).toBe(true);
  });
});
