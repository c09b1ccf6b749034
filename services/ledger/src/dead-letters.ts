import { deadLettersFromCli } from '@bonding/kit';

/** `node --import tsx src/dead-letters.ts list|replay ...`: inspect and replay undeliverable events (docs/runbooks/BondingOutboxDeadLetters.md). */
await deadLettersFromCli('ledger');
