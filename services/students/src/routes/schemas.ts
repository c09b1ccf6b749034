import { EMAIL_FORMAT } from '@bonding/kit';
import { z } from '@hono/zod-openapi';
import type { BankAccountRow, DirectoryRow, GuardianRow, PersonalDetailsRow } from '../db/schema.js';
import { GENDERS, RELATIONS } from '../db/schema.js';
import { masked, normaliseAccountNumber } from '../domain/sensitive-fields.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const phone = z
  .string()
  .regex(/^\+[1-9][0-9]{7,14}$/, { error: 'must be an E.164 number such as +265991234567' });

export const PersonalDetailsInput = z
  .strictObject({
    firstName: text(100),
    surname: text(100),
    dateOfBirth: z.iso.date({ error: 'must be a date (YYYY-MM-DD)' }),
    gender: z.enum(GENDERS),
    // Spaces and lower case are forgiven as typed; the pattern says so, and the ID is kept as 8 capitals.
    nationalId: z
      .string()
      .regex(/^[ ]*(?:[A-Za-z0-9][ ]*){8}$/, { error: 'must be the 8 letters and digits of a national ID' })
      .transform((value) => value.replaceAll(' ', '').toUpperCase()),
    phone,
    homeVillage: text(100),
    traditionalAuthority: text(100),
    district: text(60),
    postalAddress: text(255),
    institution: text(150),
    programme: text(150),
    yearOfStudy: z.number().int().min(1).max(10),
  })
  .openapi('PersonalDetailsInput');

export const PersonalDetailsSchema = z
  .object({
    firstName: z.string(),
    surname: z.string(),
    dateOfBirth: z.string(),
    gender: z.enum(GENDERS),
    nationalIdMasked: z.string().openapi({ example: '••••3E4F' }),
    phone: z.string(),
    homeVillage: z.string(),
    traditionalAuthority: z.string(),
    district: z.string(),
    postalAddress: z.string(),
    institution: z.string(),
    programme: z.string(),
    yearOfStudy: z.number().int(),
    updatedAt: z.iso.datetime(),
    version: z.number().int(),
  })
  .openapi('PersonalDetails');

export const GuardianInput = z
  .strictObject({
    firstName: text(100),
    surname: text(100),
    relation: z.enum(RELATIONS),
    phone,
    email: z.string().max(254).regex(EMAIL_FORMAT, { error: 'must be a valid e-mail address' }).optional(),
    occupation: text(100),
    homeVillage: text(100),
    primary: z
      .boolean()
      .default(false)
      .openapi({ description: 'Exactly one guardian is primary; setting it moves it here.' }),
  })
  .openapi('GuardianInput');

export const GuardianSchema = z
  .object({
    id: z.uuid(),
    firstName: z.string(),
    surname: z.string(),
    relation: z.enum(RELATIONS),
    phone: z.string(),
    email: z.string().nullable(),
    occupation: z.string(),
    homeVillage: z.string(),
    primary: z.boolean(),
    version: z.number().int(),
  })
  .openapi('Guardian');

export const BankAccountInput = z
  .strictObject({
    bankName: text(100),
    branch: text(100),
    accountName: text(150),
    // Spaces and dashes as printed on a card or statement are forgiven; the digits are kept.
    accountNumber: z
      .string()
      .regex(/^[ -]*(?:[0-9][ -]*){6,20}$/, { error: 'must be 6–20 digits' })
      .transform(normaliseAccountNumber),
    primary: z
      .boolean()
      .default(false)
      .openapi({ description: 'Exactly one account is primary; setting it moves it here.' }),
  })
  .openapi('BankAccountInput');

export const BankAccountSchema = z
  .object({
    id: z.uuid(),
    bankName: z.string(),
    branch: z.string(),
    accountName: z.string(),
    accountNumberMasked: z.string().openapi({ example: '••••4321' }),
    primary: z.boolean(),
    version: z.number().int(),
  })
  .openapi('BankAccount');

export const CompletenessSchema = z
  .object({
    personalDetails: z.boolean(),
    guardian: z.boolean(),
    primaryBankAccount: z.boolean(),
    complete: z.boolean(),
  })
  .openapi('Completeness');

export const StudentSummarySchema = z
  .object({
    studentId: z.uuid(),
    firstName: z.string(),
    lastName: z.string(),
    regNumber: z.string().nullable(),
  })
  .openapi('StudentSummary');

export const BondingFileSchema = z
  .object({
    studentId: z.uuid(),
    student: StudentSummarySchema.nullable(),
    personal: PersonalDetailsSchema.nullable(),
    guardians: z.array(GuardianSchema),
    bankAccounts: z.array(BankAccountSchema),
    completeness: CompletenessSchema,
  })
  .openapi('BondingFile');

/** DATE columns arrive as a Date at UTC midnight (the pool speaks UTC); the API speaks YYYY-MM-DD. */
const calendarDate = (value: Date | string) =>
  typeof value === 'string' ? value : value.toISOString().slice(0, 10);

export const toPersonal = (row: PersonalDetailsRow) => ({
  firstName: row.first_name,
  surname: row.surname,
  dateOfBirth: calendarDate(row.date_of_birth),
  gender: row.gender,
  nationalIdMasked: masked(row.national_id_last4),
  phone: row.phone,
  homeVillage: row.home_village,
  traditionalAuthority: row.traditional_authority,
  district: row.district,
  postalAddress: row.postal_address,
  institution: row.institution,
  programme: row.programme,
  yearOfStudy: row.year_of_study,
  updatedAt: row.updated_at.toISOString(),
  version: row.version,
});

export const toGuardian = (row: GuardianRow) => ({
  id: row.id,
  firstName: row.first_name,
  surname: row.surname,
  relation: row.relation,
  phone: row.phone,
  email: row.email,
  occupation: row.occupation,
  homeVillage: row.home_village,
  primary: Boolean(row.is_primary),
  version: row.version,
});

export const toBankAccount = (row: BankAccountRow) => ({
  id: row.id,
  bankName: row.bank_name,
  branch: row.branch,
  accountName: row.account_name,
  accountNumberMasked: masked(row.account_number_last4),
  primary: Boolean(row.is_primary),
  version: row.version,
});

export const toSummary = (row: DirectoryRow) => ({
  studentId: row.user_id,
  firstName: row.first_name,
  lastName: row.last_name,
  regNumber: row.reg_number,
});

export const IdParam = (name: string) =>
  z.object({
    id: z.uuid({ error: `must be a ${name} id (UUID)` }).openapi({ param: { name: 'id', in: 'path' } }),
  });
