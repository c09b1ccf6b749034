import type { EventData } from '@bonding/contracts';
import type { Plan, PlanContext } from './notices.js';
import { releasedLegs } from './tranche-mails.js';

/**
 * What a loan's tranches (one per academic term, docs/lending-model.md "Tranches") mean for people. The
 * student hears of each step in-app and by e-mail; a failed release is also for the active admins, since
 * only an admin can retry it. tranche.releaseRequested@1 is the ledger's business and tells nobody.
 */
export const tranchePlans = {
  certified(data: EventData<'tranche.certified@1'>): Plan {
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'tranche_certified',
          title: 'Your enrolment was certified',
          // The event does not carry the planned date, so the notice does not guess it.
          body: `Your enrolment for ${data.termLabel} was certified on ${data.businessDate}. The term's money will be paid on its planned date.`,
          data: { loanId: data.loanId, trancheId: data.trancheId, number: data.number },
        },
      ],
      mails: [
        {
          template: 'tranche_certified',
          userId: data.studentId,
          loanId: data.loanId,
          number: data.number,
          termLabel: data.termLabel,
          businessDate: data.businessDate,
        },
      ],
    };
  },

  released(data: EventData<'tranche.released@1'>): Plan {
    const legs = releasedLegs(data.tuition, data.upkeep);
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'tranche_released',
          title: 'The money for a term was paid',
          body: `The money for term ${data.number} of your loan was paid${legs.length > 0 ? `: ${legs.join(' and ')}` : ''}.`,
          data: { loanId: data.loanId, trancheId: data.trancheId, number: data.number },
        },
      ],
      mails: [
        {
          template: 'tranche_released',
          userId: data.studentId,
          loanId: data.loanId,
          number: data.number,
          tuition: data.tuition,
          upkeep: data.upkeep,
        },
      ],
    };
  },

  releaseFailed(data: EventData<'tranche.releaseFailed@1'>, context: PlanContext): Plan {
    const ids = { loanId: data.loanId, trancheId: data.trancheId, number: data.number };
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'tranche_release_failed',
          title: 'The money for a term is delayed',
          // The reason code is for the admin who fixes it (a frozen wallet, a missing funding account): the
          // student is told what it means for them, not how the ledger refused.
          body: `The money for term ${data.number} of your loan could not be paid yet. An administrator will pay it once the cause is fixed.`,
          data: ids,
        },
        ...context.admins.map((admin) => ({
          userId: admin,
          kind: 'tranche_release_failed' as const,
          title: 'A tranche could not be released',
          body: `Releasing tranche ${data.number} of loan ${data.loanId} failed (${data.reason}); nothing moved. Retry the release once the cause is fixed.`,
          data: { ...ids, studentId: data.studentId, reason: data.reason },
        })),
      ],
      mails: [
        {
          template: 'tranche_release_failed',
          userId: data.studentId,
          loanId: data.loanId,
          number: data.number,
        },
      ],
    };
  },

  lapsed(data: EventData<'tranche.lapsed@1'>): Plan {
    return {
      notices: [
        {
          userId: data.studentId,
          kind: 'tranche_lapsed',
          title: 'The money for a term lapsed',
          body: `The money for term ${data.number} of your loan lapsed on ${data.businessDate} because it was not taken up in time. Contact the board if you still need it.`,
          data: { loanId: data.loanId, trancheId: data.trancheId, number: data.number },
        },
      ],
      mails: [
        {
          template: 'tranche_lapsed',
          userId: data.studentId,
          loanId: data.loanId,
          number: data.number,
          businessDate: data.businessDate,
        },
      ],
    };
  },
};
