import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { awsDeps, logger, metrics, tracer } from '../adapters/aws/aws-deps.ts';
import type { Deps } from '../use-cases/deps.ts';
import { createApiApp, lambdaEntry } from './api/app.ts';
import { routes } from './api/routes.ts';
import type { Observability } from './lambda-job.ts';

/** The HTTP API behind API Gateway (JWT authorizer), served by the Hono app of api/app.ts. Deps are built once per execution environment. */
export function makeApiHandler(makeDeps: () => Deps, observability: Observability = {}) {
  let deps: Deps | undefined;
  const serve = lambdaEntry(createApiApp(routes, () => (deps ??= makeDeps())));
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>();
  if (observability.logger) handler.use(injectLambdaContext(observability.logger, { resetKeys: true }));
  if (observability.metrics) handler.use(logMetrics(observability.metrics));
  if (observability.tracer) handler.use(captureLambdaHandler(observability.tracer));
  return handler.handler((event, context) => serve(event, context));
}

export const handler = makeApiHandler(() => awsDeps(), { logger, metrics, tracer });
