import type * as z from 'zod';

/** `clients[3].phone: expected E.164 like +12025550101` for every issue, one per line. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issuePath(issue.path) || '(root)'}: ${issue.message}`);
}

export function formatIssues(error: z.ZodError): string {
  return describeIssues(error).join('; ');
}
