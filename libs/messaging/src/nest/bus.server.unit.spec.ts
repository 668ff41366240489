import { InProcessBus } from '../in-process.bus';
import { BusServer } from './bus.server';

describe('BusServer handler lookup', () => {
  it('finds a plain-name pattern directly, without trying it as JSON (a thrown SyntaxError per message)', () => {
    const server = new BusServer(new InProcessBus(), { service: 'accounts' });
    const handler = Object.assign(async () => 'ok', { isEventHandler: false });
    server.addHandler('accounts.double', handler);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(server.getHandlerByPattern('accounts.double')).toBe(handler);
      expect(server.getHandlerByPattern('accounts.unknown')).toBeNull();
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });
});
