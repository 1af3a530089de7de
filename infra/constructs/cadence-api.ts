import { CfnOutput, type RemovalPolicy } from 'aws-cdk-lib';
import { type CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Route } from '../../functions/handlers/api/http.ts';
import type { CadenceFunction } from './cadence-function.ts';

export interface CadenceApiProps {
  /** The staff user pool (see StaffUserPool): the JWT issuer. */
  readonly userPool: IUserPool;
  readonly stage: string;
  /** The access-log group's name: under a prefix the logs key's policy admits (`/cadence/…`). */
  readonly logGroupName: string;
  readonly logsKey: IKey;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** @default 20 requests per second, bursts of 40 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

/**
 * One JSON line per request: who (the caller's `sub`, from the verified JWT), what (route and path,
 * which hold ids only), when, and the outcome. No bodies, headers or query strings: they can carry
 * names and phone numbers (invariant 8). HTTP APIs take `$context.authorizer.claims.<claim>` from a
 * JWT authorizer; the REST API's `jsonWithStandardFields` has no such field.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sub: '$context.authorizer.claims.sub',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  responseLength: '$context.responseLength',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
} as const;

/** Behind CloudFront the API is `/api/*` on the web app's origin, forwarded unchanged. */
export const WEB_API_PREFIX = '/api';

/**
 * The clinicians' HTTP API: API Gateway HTTP API with a JWT authorizer (the staff user pool's
 * tokens for its app clients) on every route, all routes on one Lambda integration, access logs to
 * an encrypted log group, and throttling on the default stage. Routes are added once the clients
 * exist (addRoutes): the web app's client needs the distribution, which needs this API's id.
 */
export class CadenceApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly accessLogs: LogGroup;
  private readonly userPool: IUserPool;

  constructor(scope: Construct, id: string, props: CadenceApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: props.logGroupName,
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: props.removalPolicy,
    });
    this.userPool = props.userPool;
    this.httpApi = new HttpApi(this, 'Http', {
      apiName: `cadence-${props.stage}`,
      description: 'Cadence staff API',
    });
    const throttle = props.throttle ?? { rateLimit: 20, burstLimit: 40 };
    const stage = this.httpApi.defaultStage!.node.defaultChild as CfnStage;
    stage.defaultRouteSettings = {
      throttlingRateLimit: throttle.rateLimit,
      throttlingBurstLimit: throttle.burstLimit,
    };
    stage.accessLogSettings = {
      destinationArn: this.accessLogs.logGroupArn,
      format: JSON.stringify(ACCESS_LOG_FIELDS),
    };
    new CfnOutput(scope, 'ApiUrl', { value: this.httpApi.apiEndpoint });
  }

  /**
   * Every route of the API (functions/handlers/api/routes.ts), at its path and under `/api` (as
   * CloudFront forwards it), on one Lambda integration, each behind the JWT authorizer whose
   * audience is the given app clients.
   */
  addRoutes(props: {
    routes: readonly Pick<Route, 'method' | 'path'>[];
    handler: CadenceFunction;
    userPoolClients: IUserPoolClient[];
  }): void {
    // Clients send the ID token: it carries cognito:groups and custom:programs, which the API reads.
    const authorizer = new HttpUserPoolAuthorizer('Staff', this.userPool, {
      userPoolClients: props.userPoolClients,
    });
    const integration = new HttpLambdaIntegration('Handler', props.handler);
    for (const route of props.routes) {
      for (const path of [route.path, `${WEB_API_PREFIX}${route.path}`]) {
        this.httpApi.addRoutes({ path, methods: [HttpMethod[route.method]], integration, authorizer });
      }
    }
  }
}
