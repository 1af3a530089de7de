import { ConflictError } from './deps.ts';

/** How many times a read-modify-write is re-read and tried again when a concurrent writer won. */
const MAX_ATTEMPTS = 5;

/**
 * Runs a read-modify-write until its conditional write lands: `attempt` reads, decides and writes
 * conditionally, returning undefined when the condition failed (someone else wrote first). Each
 * retry reads the item again and decides anew on what it is now.
 */
export async function withConflictRetry<T>(attempt: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 1; i <= MAX_ATTEMPTS; i++) {
    const result = await attempt();
    if (result !== undefined) return result;
  }
  throw new ConflictError(`${what} kept changing while it was written; try again`);
}
