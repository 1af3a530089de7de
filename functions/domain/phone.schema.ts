import { isValidPhoneNumber } from 'libphonenumber-js';
import { phoneSchema } from './common.schema.ts';

/**
 * A phone number a person typed: E.164 and a number that can exist in its country's numbering
 * plan (libphonenumber-js): `+10000000000` is refused. Used at the API; stored numbers passed it.
 */
export const dialablePhoneSchema = phoneSchema.refine((phone) => isValidPhoneNumber(phone), {
  error: 'expected a phone number that exists, in E.164 like +12025550101',
});
