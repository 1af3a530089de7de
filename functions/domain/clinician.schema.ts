import * as z from 'zod';
import { MAX_WINDOWS } from './client.schema.ts';
import { entityIdSchema, weeklyWindowSchema } from './common.schema.ts';

export const clinicianSchema = z
  .object({
    id: entityIdSchema,
    availability: z.array(weeklyWindowSchema).max(MAX_WINDOWS).default([]),
  })
  .strict();
export type Clinician = z.infer<typeof clinicianSchema>;
