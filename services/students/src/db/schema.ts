import type { EventTables, InboxDeadLetterTables } from '@bonding/kit';
import type { Generated, Selectable } from 'kysely';

export const GENDERS = ['female', 'male', 'other', 'prefer_not_to_say'] as const;
export const RELATIONS = ['father', 'mother', 'guardian', 'sponsor', 'other'] as const;

/** Who students are, from identity's events: so staff can find a student before they file anything. */
export interface StudentDirectoryTable {
  user_id: string;
  first_name: string;
  last_name: string;
  reg_number: string | null;
  updated_at: Date;
}

export interface PersonalDetailsTable {
  student_id: string;
  first_name: string;
  surname: string;
  date_of_birth: Date | string;
  gender: (typeof GENDERS)[number];
  /** AES-256-GCM, `<kid>:<iv>:<ciphertext>:<tag>`; never stored in clear. */
  national_id_sealed: string;
  /** Blind index (keyed hash): unique, so one national ID files once. */
  national_id_index: string;
  national_id_last4: string;
  phone: string;
  home_village: string;
  traditional_authority: string;
  district: string;
  postal_address: string;
  institution: string;
  programme: string;
  year_of_study: number;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** One row per student who has written to their file: what writes to their lists lock first. */
export interface BondingFilesTable {
  student_id: string;
  created_at: Date;
}

export interface GuardiansTable {
  id: string;
  student_id: string;
  first_name: string;
  surname: string;
  relation: (typeof RELATIONS)[number];
  phone: string;
  email: string | null;
  occupation: string;
  home_village: string;
  is_primary: number;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export interface BankAccountsTable {
  id: string;
  student_id: string;
  bank_name: string;
  branch: string;
  account_name: string;
  account_number_sealed: string;
  /** Blind index of bank + number: the same account cannot be filed twice. */
  account_number_index: string;
  account_number_last4: string;
  is_primary: number;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export interface FileAccessLogTable {
  id: Generated<number>;
  staff_id: string;
  staff_role: string;
  student_id: string;
  accessed_at: Date;
}

export interface StudentsDatabase extends EventTables, InboxDeadLetterTables {
  student_directory: StudentDirectoryTable;
  personal_details: PersonalDetailsTable;
  bonding_files: BondingFilesTable;
  guardians: GuardiansTable;
  bank_accounts: BankAccountsTable;
  file_access_log: FileAccessLogTable;
}

export type PersonalDetailsRow = Selectable<PersonalDetailsTable>;
export type GuardianRow = Selectable<GuardiansTable>;
export type BankAccountRow = Selectable<BankAccountsTable>;
export type DirectoryRow = Selectable<StudentDirectoryTable>;
