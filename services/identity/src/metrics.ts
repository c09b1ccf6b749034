import { Counter, type ServiceMetrics } from '@bonding/kit';

export interface IdentityMetrics {
  logins: Counter<'result'>;
  registrations: Counter<'role'>;
}

export function createIdentityMetrics({ registry }: ServiceMetrics): IdentityMetrics {
  return {
    logins: new Counter({
      name: 'identity_logins_total',
      help: 'Sign-in steps by result (success, invalid_credentials, locked, blocked; two-factor: mfa_challenge, mfa_code_wrong, mfa_enrolment_required).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    registrations: new Counter({
      name: 'identity_registrations_total',
      help: 'Self-registrations by role.',
      labelNames: ['role'] as const,
      registers: [registry],
    }),
  };
}
