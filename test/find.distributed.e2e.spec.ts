import { describeFindAndShare } from './find.e2e-cases';
import { startDistributedHub } from './support/hubs';

describeFindAndShare('distributed over Kafka', () => startDistributedHub({ requireConfirmation: false }));
