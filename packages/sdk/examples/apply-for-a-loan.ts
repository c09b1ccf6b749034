import { createBondingClient, ok } from '@bonding/sdk';

const { EDGE = 'http://localhost:8000', EMAIL = '', PASSWORD = '', PRODUCT: productId = '' } = process.env;
const bonding = createBondingClient({ baseUrl: EDGE });
await bonding.signIn(EMAIL, PASSWORD);

const loan = await ok(
  bonding.api.POST('/api/v1/loans', {
    body: { productId, principal: 5_000_000, termMonths: 12, purpose: 'Upkeep', academicYear: '2026/2027' },
  }),
);
console.log(loan.id, loan.status); // NEW

// Each notification, from the first on, until the loan is paid out.
for await (const notice of bonding.notifications({ lastEventId: '0' })) {
  if (notice.kind === 'loan_disbursed' && notice.data.loanId === loan.id) break;
}
const { status } = await ok(bonding.api.GET('/api/v1/loans/{id}', { params: { path: { id: loan.id } } }));
console.log(loan.id, status); // DISBURSED
