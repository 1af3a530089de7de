import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../local/adapters/dynamo-local.ts';
import { ensureWebBuild } from '../../web/build.ts';

/**
 * One DynamoDB Local per test run, on a free port; each test file creates its own table. The web
 * app is built when web/dist is missing or stale (about a second): the browser tests serve it and
 * the infra tests deploy it (BucketDeployment needs the folder).
 */
export default async function setup(project: TestProject) {
  await ensureWebBuild();
  const dynamo = await startDynamoLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => dynamo.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
