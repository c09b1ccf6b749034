import { createServiceApp, databaseReadiness, mountEventRoutes } from '@bonding/kit';
import { migrations } from './db/migrations/index.js';
import type { LoansDeps } from './deps.js';
import { disbursementFailedHandler, transferCompletedHandler } from './events/disbursement.js';
import { trancheReleasedHandler, trancheReleaseFailedHandler } from './events/tranche-release.js';
import { decisionRoutes } from './routes/decisions.js';
import { guarantorConsentRoutes } from './routes/guarantor-consents.js';
import { guarantorRoutes } from './routes/guarantors.js';
import { lendingRoutes } from './routes/lending.js';
import { loanLendingRoutes } from './routes/loan-lending.js';
import { loanRoutes } from './routes/loans.js';
import { repaymentRoutes } from './routes/repayments.js';
import { scheduleRoutes } from './routes/schedule.js';
import { trancheRoutes } from './routes/tranches.js';

export function createLoansApp(deps: LoansDeps) {
  const service = createServiceApp({
    name: 'loans',
    version: '0.1.0',
    description:
      'Loans: applications checked against catalog and the bonding file, four-eyes decisions, study ' +
      'phases and daily interest run by a business date and close of business, annuity schedules, the disbursement saga with the ledger, repayments and arrears. Amounts are whole numbers ' +
      'of minor units; creating POSTs need an Idempotency-Key.',
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    readiness: databaseReadiness(deps.db, migrations),
  });
  service.app
    .route('/api/v1', loanRoutes(deps))
    .route('/api/v1', decisionRoutes(deps))
    .route('/api/v1', scheduleRoutes(deps))
    .route('/api/v1', repaymentRoutes(deps))
    .route('/api/v1', loanLendingRoutes(deps))
    .route('/api/v1', trancheRoutes(deps))
    .route('/api/v1', guarantorRoutes(deps))
    // Public: the consent code in the path is the credential (docs/lending-model.md, "Guarantors").
    .route('/api/v1', guarantorConsentRoutes(deps))
    .route('/api/v1', lendingRoutes(deps));
  // The ledger's answers to loan.approved; user.disabled into the token denylist; the outbox's dead letters.
  mountEventRoutes(service.app, deps.events, {
    handlers: {
      'transfer.completed@1': transferCompletedHandler(deps.loansMetrics, deps.config.BUSINESS_TIME_ZONE),
      'disbursement.failed@1': disbursementFailedHandler(deps.loansMetrics),
      'tranche.released@1': trancheReleasedHandler(deps.loansMetrics, deps.config.BUSINESS_TIME_ZONE),
      'tranche.releaseFailed@1': trancheReleaseFailedHandler(deps.loansMetrics),
    },
  });
  return service;
}
