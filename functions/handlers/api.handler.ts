import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { awsDeps } from '../adapters/aws/aws-deps.ts';
import type { Deps } from '../use-cases/deps.ts';
import { handleApiEvent } from './api/http.ts';
import { routes } from './api/routes.ts';

/** The HTTP API behind API Gateway (JWT authorizer). Deps are built once per execution environment. */
export function makeApiHandler(makeDeps: () => Deps) {
  let deps: Deps | undefined;
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>().handler(async (event) => {
    deps ??= makeDeps();
    return handleApiEvent(routes, deps, event);
  });
}

export const handler = makeApiHandler(() => awsDeps());
