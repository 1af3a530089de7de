import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../local/adapters/dynamo-local.ts';

/** One DynamoDB Local per test run, on a free port; each test file creates its own table. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => dynamo.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
