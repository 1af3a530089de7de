import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localSystem } from '../../local/adapters/local-deps.ts';

/** Counts DynamoDB commands by name, so tests and benchmarks can assert request counts. */
export function countRequests(doc: DynamoDBDocumentClient): Record<string, number> {
  const counts: Record<string, number> = {};
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: `count-requests-${Math.random()}` },
  );
  return counts;
}

export function localDeps(doc: DynamoDBDocumentClient, tableName: string, now = '2027-01-01T00:00:00Z') {
  return localSystem({ doc, tableName, now });
}
