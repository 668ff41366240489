import { describeFindAndShare } from './find.e2e-cases';
import { startStandaloneHub } from './support/hubs';

describeFindAndShare('standalone', () => startStandaloneHub({ requireConfirmation: false }));
