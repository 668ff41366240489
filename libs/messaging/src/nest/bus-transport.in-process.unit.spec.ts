import { InProcessBus } from '../in-process.bus';
import { describeBusTransport } from './bus-transport.contract';

describeBusTransport('in-process', async () => new InProcessBus());
