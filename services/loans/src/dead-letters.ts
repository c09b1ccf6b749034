import { deadLettersFromCli } from '@bonding/kit';

/** `node --import tsx src/dead-letters.ts list|replay|discard ...`: the events this service could not apply (docs/runbooks/BondingInboxDeadLetters.md). */
await deadLettersFromCli('loans');
