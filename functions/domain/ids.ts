import { createHash } from 'node:crypto';

/** A short deterministic id: the same parts always give the same id, so a rerun writes nothing new. */
export function deterministicId(prefix: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u001f')).digest('hex').slice(0, 20);
  return `${prefix}-${digest}`;
}
