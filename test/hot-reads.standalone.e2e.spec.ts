import { describeHotReads } from './hot-reads.e2e-cases';
import { startStandaloneHub } from './support/hubs';

// One process: A and B are the same gateway (its view and its read-your-writes against one PostgreSQL).
describeHotReads('standalone', () => startStandaloneHub({ requireConfirmation: false }));
