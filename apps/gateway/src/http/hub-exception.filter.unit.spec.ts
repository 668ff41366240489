import { ArgumentsHost } from '@nestjs/common';
import { Writable } from 'node:stream';
import { DomainError } from '@dockyard/contracts';
import { createLogger } from '@dockyard/runtime';
import { HubExceptionFilter } from './hub-exception.filter';
import { NotVisibleYet } from './read-your-writes';

/** The reply the filter writes to: what it was given, in order. */
function fakeReply() {
  const sent: { status?: number; headers: Record<string, string>; body?: string } = { headers: {} };
  const reply = {
    header: (name: string, value: string) => ((sent.headers[name] = value), reply),
    status: (status: number) => ((sent.status = status), reply),
    type: (type: string) => ((sent.headers['content-type'] = type), reply),
    send: (body: string) => ((sent.body = body), reply),
  };
  return { reply, sent };
}

describe('HubExceptionFilter', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    'gateway',
    'info',
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    }),
  );
  const filter = new HubExceptionFilter(logger);
  const answer = (exception: unknown) => {
    const { reply, sent } = fakeReply();
    const request = { id: 'req-7f3a', url: '/v1/repositories/alice/web/images' };
    const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => request }) } as unknown as ArgumentsHost;
    filter.catch(exception, host);
    return sent;
  };
  beforeEach(() => (lines.length = 0));

  it('a write not visible in time is a 503 to retry, logged with the request’s correlation id and what was awaited', () => {
    const written = { source: 'images', streamId: 'repository-1', streamVersion: 3 };
    const sent = answer(new NotVisibleYet('images', written));
    expect(sent).toMatchObject({ status: 503, headers: { 'Retry-After': '1' } });
    expect(JSON.parse(sent.body!)).toEqual({ error: 'the change is stored but not visible yet; retry shortly' });
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, correlationId: 'req-7f3a', projection: 'images', written, msg: expect.stringContaining('did not catch up') }),
    ]);
  });

  it('a fault is a 500 that tells the client nothing and logs the error with the correlation id', () => {
    const sent = answer(new Error('connection string postgres://secret@db'));
    expect(sent.status).toBe(500);
    expect(sent.body).toBe('{"error":"Internal error"}');
    expect(lines).toEqual([expect.objectContaining({ level: 50, correlationId: 'req-7f3a', err: expect.objectContaining({ message: expect.stringContaining('secret') }) })]);
  });

  it('bad input and an outage are answered without a line (a flood of them must not flood the log)', () => {
    expect(answer(new DomainError('invalid', 'bad name')).status).toBe(400);
    expect(answer(new DomainError('unavailable', 'tokens is temporarily unavailable')).status).toBe(503);
    expect(lines).toEqual([]);
  });
});
