/** The request bodies YAES accepts. Money is validated to whole cents and turned into exact decimal strings. */
import { z } from 'zod';
import { caseInsensitiveObject } from './decode.js';

const MAX_MONEY = 1e12;

/** A non-negative amount in whole cents → exact decimal string (`12.5` → `"12.50"`). */
const money = z
  .number()
  .min(0)
  .max(MAX_MONEY)
  .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'must be in whole cents')
  .transform((n) => n.toFixed(2));

/** A percentage 0–100 with at most 4 decimals → exact decimal string. */
const percentage = z
  .number()
  .min(0)
  .max(100)
  .refine((n) => Math.abs(n * 1e4 - Math.round(n * 1e4)) < 1e-6, 'at most 4 decimals')
  .transform((n) => String(Number(n.toFixed(4))));

const id = z.number().int().positive().max(2_147_483_647);
/** PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database. */
const noNul = (s: string) => !s.includes('\u0000');
const text = (max: number) => z.string().trim().max(max).refine(noNul, 'must not contain NUL characters');
/** bcrypt reads at most 72 bytes: longer passwords would be silently truncated. */
const password = z
  .string()
  .refine((s) => Buffer.byteLength(s) <= 72, 'must be at most 72 bytes')
  .refine(noNul, 'must not contain NUL characters');
/** Fields the API returns and a client may echo back; accepted and ignored. */
const echoed = {
  CreatedAt: z.unknown().optional(),
  UpdatedAt: z.unknown().optional(),
  DeletedAt: z.unknown().optional(),
};

/** POST /users. */
export const RegistrationBody = caseInsensitiveObject({
  Username: text(64).min(1, 'must not be empty'),
  FirstName: text(100).default(''),
  LastName: text(100).default(''),
  MobileNumber: text(32).min(1, 'must not be empty'),
  Password: password.refine((s) => s.length > 0, 'must not be empty'),
});

/** POST /login. */
export const LoginBody = caseInsensitiveObject({
  Username: z.string().max(64).refine(noNul, 'must not contain NUL characters'),
  Password: password,
});

const NewPayableBody = caseInsensitiveObject({
  UserID: id,
  RatioInPercentage: percentage,
  AmountOwed: money,
  Status: text(32).min(1).default('pending'),
  ID: z.unknown().optional(),
  ExpenseID: z.unknown().optional(),
  ...echoed,
});

/** POST /expenses (`CreatedBy` is accepted but always replaced by the caller). */
export const ExpenseBody = caseInsensitiveObject({
  Amount: money,
  Place: text(200).min(1, 'must not be empty'),
  Payables: z.array(NewPayableBody).max(100).default([]),
  CreatedBy: z.unknown().optional(),
  ID: z.unknown().optional(),
  ...echoed,
});

/** PUT /payables/:id — every field optional; ID and ExpenseID are checked, never changed. */
export const PayableUpdateBody = caseInsensitiveObject({
  UserID: id.optional(),
  RatioInPercentage: percentage.optional(),
  AmountOwed: money.optional(),
  Status: text(32).min(1).optional(),
  ID: id.optional(),
  ExpenseID: id.optional(),
  ...echoed,
});

/** The `:id` path parameter. */
export const IdParam = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a positive integer')
    .transform(Number)
    .pipe(id),
});

/** GET /expenses and GET /payables paging: `limit` 1–1000 (default 100), `after` the last id already seen (default 0). */
export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.coerce.number().int().min(0).max(2_147_483_647).default(0),
});
