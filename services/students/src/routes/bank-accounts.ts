import { bankAccountTaken, getBankAccount, listBankAccounts } from '../db/bonding-file.js';
import type { StudentsDeps } from '../deps.js';
import { MAX_BANK_ACCOUNTS } from '../domain/file-limits.js';
import { fileEntryRoutes } from './file-entries.js';
import { BankAccountInput, BankAccountSchema, toBankAccount } from './schemas.js';

/**
 * /students/me/bank-accounts: where disbursements may go, one of them primary. The number is sealed
 * (AES-256-GCM) with a blind index, so the same account cannot be on two files; answers show it masked.
 */
export const bankAccountRoutes = (deps: StudentsDeps) =>
  fileEntryRoutes(deps, {
    table: 'bank_accounts',
    segment: 'bank-accounts',
    noun: 'bank account',
    listSummary: 'My bank accounts, numbers masked',
    maxEntries: MAX_BANK_ACCOUNTS,
    input: BankAccountInput,
    output: BankAccountSchema,
    columns: (body) => {
      const number = deps.sensitive.bankAccount(body.bankName, body.accountNumber);
      return {
        bank_name: body.bankName,
        branch: body.branch,
        account_name: body.accountName,
        account_number_sealed: number.sealed,
        account_number_index: number.index,
        account_number_last4: number.last4,
      };
    },
    list: listBankAccounts,
    get: getBankAccount,
    present: toBankAccount,
    conflict: bankAccountTaken,
  });
