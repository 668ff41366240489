import { describeImageOwnership } from './image-ownership.e2e-cases';
import { startStandaloneHub } from './support/hubs';

describeImageOwnership('standalone', () => startStandaloneHub({ requireConfirmation: false }));
