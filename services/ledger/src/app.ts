import { createServiceApp, databaseReadiness, mountEventRoutes } from '@bonding/kit';
import { migrations } from './db/migrations/index.js';
import { systemAccountsReadiness } from './db/system-accounts.js';
import type { LedgerDeps } from './deps.js';
import { loanApprovedHandler, loanApprovedV2Handler } from './events/loan-approved.js';
import { trancheReleaseRequestedHandler } from './events/tranche-release.js';
import { accountRoutes } from './routes/accounts.js';
import { cardRoutes } from './routes/cards.js';
import { internalTransferRoutes } from './routes/internal-transfers.js';
import { reconciliationRoutes } from './routes/reconciliation.js';
import { transferRoutes } from './routes/transfers.js';

export function createLedgerApp(deps: LedgerDeps) {
  const service = createServiceApp({
    name: 'ledger',
    version: '0.1.0',
    description:
      'The double-entry ledger: wallets and system accounts, virtual cards, deposits, withdrawals and ' +
      'transfers. Amounts are whole numbers of minor units; every money-moving POST needs an Idempotency-Key.',
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    readiness: [
      ...databaseReadiness(deps.db, migrations),
      systemAccountsReadiness(deps.db, deps.config.CURRENCIES, deps.now),
    ],
  });
  service.app
    .route('/api/v1', accountRoutes(deps))
    .route('/api/v1', cardRoutes(deps))
    .route('/api/v1', transferRoutes(deps))
    .route('/api/v1', reconciliationRoutes(deps))
    .route('/internal', internalTransferRoutes(deps));
  // loan.approved and tranche.releaseRequested (the disbursement and release sagas), user.disabled into
  // the token denylist, the outbox's dead letters.
  mountEventRoutes(service.app, deps.events, {
    handlers: {
      'loan.approved@1': loanApprovedHandler(deps),
      'loan.approved@2': loanApprovedV2Handler(),
      'tranche.releaseRequested@1': trancheReleaseRequestedHandler(deps),
    },
  });
  return service;
}
