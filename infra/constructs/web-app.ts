import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, type RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  CfnManagedLoginBranding,
  ClientAttributes,
  type IUserPool,
  ManagedLoginVersion,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { contentSecurityPolicy, HSTS_SECONDS } from '../../web/security-headers.ts';
import { ManagedPolicyRole } from './managed-policy-role.ts';
import { PROGRAMS_ATTRIBUTE } from './staff-user-pool.ts';

/** A CloudFront function (viewer request): what is not a file of the build is a page of the app. */
export const SPA_ROUTES_FUNCTION = [
  'function handler(event) {',
  '  var r = event.request;',
  "  if (!/^\\/assets\\//.test(r.uri) && !/^\\/[^\\/]+\\.[a-z0-9]+$/i.test(r.uri)) r.uri = '/index.html';",
  '  return r;',
  '}',
].join('\n');

/** The app's page for Cognito's redirect after sign-in, and where sign-out lands. */
export const CALLBACK_PATH = '/auth/callback';
export const SIGNED_OUT_PATH = '/signin';

export interface WebAppProps {
  /** The staff HTTP API: `/api/*` goes to its `$default` stage on the same origin (no CORS). */
  readonly httpApi: IHttpApi;
  /** The staff user pool: managed login (code flow with PKCE, its MFA) for the app's own client. */
  readonly userPool: IUserPool;
  /** Cognito's domain prefix, unique per Region: `<prefix>.auth.<region>.amazoncognito.com`. */
  readonly authDomainPrefix: string;
  /** The built app (web/dist); `npm run deploy` builds it first, the test setup does too. */
  readonly sourceDir: string;
  readonly stage: string;
  readonly removalPolicy: RemovalPolicy;
  /** The deployment handler's log group: encrypted, under `/cadence/` (the logs key admits it). */
  readonly logsKey: IKey;
  readonly logRetention: RetentionDays;
  /** Minutes without activity before the app signs out. @default 15 */
  readonly idleMinutes?: number;
}

/**
 * The care-team web app: a private S3 bucket behind CloudFront (origin access control), security
 * headers on every answer, the API under `/api/*` on the same origin, and a Cognito app client of
 * its own for managed login whose callback is the distribution. The build is deployed with
 * BucketDeployment, with a `/config.json` telling the app where to sign in.
 */
export class WebApp extends Construct {
  public readonly bucket: Bucket;
  public readonly logs: Bucket;
  public readonly distribution: Distribution;
  public readonly client: UserPoolClient;
  public readonly domain: UserPoolDomain;
  /** `https://<distribution domain>`: alert links and the sign-in callback. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    if (!existsSync(join(props.sourceDir, 'index.html'))) {
      throw new Error(
        `the web app is not built (${props.sourceDir}/index.html is missing): run npm run web:build first`,
      );
    }
    const region = Stack.of(this).region;
    this.logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      // CloudFront standard logs are written with an ACL (its log delivery account).
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: props.removalPolicy,
    });
    acknowledgeLogsBucket(this.logs);

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 's3/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.bucket).acknowledge(
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason:
          'The bucket holds the built app only (JavaScript, CSS, HTML): no PHI. SSE-S3 keeps CloudFront origin access control free of a KMS key policy',
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason:
          'The bucket is rebuilt from the repository on every deploy (BucketDeployment): nothing to replicate',
      },
    );

    const authOrigin = `https://${props.authDomainPrefix}.auth.${region}.amazoncognito.com`;
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `cadence-${props.stage} web app: CSP, HSTS, no framing`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(authOrigin), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    // The app's own routes (an alert's /programs/p/clients/c, whose ids may hold dots) are
    // index.html; files are the hashed assets and the few files at the root (config.json).
    const spa = new CloudFrontFunction(this, 'SpaRoutes', {
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Serves index.html for the app routes: every path but /assets/* and root files',
      code: FunctionCode.fromInline(SPA_ROUTES_FUNCTION),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `cadence-${props.stage} care-team web app`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: spa, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        // Forwarded unchanged: the API Lambda strips the leading /api, and the HTTP API declares every
        // route under /api too. Never cached; every viewer header but Host (so Authorization) goes on.
        '/api/*': {
          origin: new HttpOrigin(`${props.httpApi.apiId}.execute-api.${region}.amazonaws.com`, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Staff sign in from wherever they work (home visits, travel): no geo restriction; Cognito MFA guards sign-in',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL by default (a fixed monthly cost): the API behind /api/* is throttled by API Gateway and every route requires a Cognito JWT',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate; with a custom domain and certificate the distribution would set TLSv1.2_2021',
      },
    );
    this.url = `https://${this.distribution.distributionDomainName}`;

    this.domain = new UserPoolDomain(this, 'Login', {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: props.authDomainPrefix },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.client = new UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: `cadence-${props.stage}-web`,
      generateSecret: false,
      // Only the hosted flow: no password ever reaches the app.
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${this.url}${CALLBACK_PATH}`],
        logoutUrls: [`${this.url}${SIGNED_OUT_PATH}`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(PROGRAMS_ATTRIBUTE),
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    const branding = new CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: props.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    branding.node.addDependency(this.domain);

    // The copy handler's role and logs are ours: a customer-managed policy (no inline one, no AWS
    // managed policy) and an encrypted log group under /cadence/.
    const deployLogs = new LogGroup(this, 'DeployLogs', {
      logGroupName: `/cadence/cadence-${props.stage}-web-deploy`,
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const deployRole = new ManagedPolicyRole(this, 'DeployRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Copies the cadence-${props.stage} web app build into its bucket`,
    });
    deployLogs.grantWrite(deployRole);
    const deployment = new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [
        Source.asset(props.sourceDir, { exclude: ['.build-hash'] }),
        Source.jsonData('config.json', {
          mode: 'cognito',
          domain: `${props.authDomainPrefix}.auth.${region}.amazoncognito.com`,
          clientId: this.client.userPoolClientId,
          idleMinutes: props.idleMinutes ?? 15,
        }),
      ],
      // index.html and config.json must be fresh after a deploy; hashed assets may be cached for ever.
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      memoryLimit: 512,
      role: deployRole,
      logGroup: deployLogs,
    });
    acknowledgeDeployment(deployment, deployRole, this.bucket);

    new CfnOutput(Stack.of(this), 'WebAppUrl', { value: this.url });
    new CfnOutput(Stack.of(this), 'WebSignInDomain', { value: authOrigin });
  }
}

function acknowledgeLogsBucket(bucket: IBucket) {
  Validations.of(bucket).acknowledge(
    {
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself: logging it into itself would loop',
    },
    {
      id: 'HIPAA.Security-S3BucketLoggingEnabled',
      reason: 'This is the access-log bucket itself: logging it into itself would loop',
    },
    {
      id: 'HIPAA.Security-S3DefaultEncryptionKMS',
      reason:
        'CloudFront standard logs can be delivered only to buckets with SSE-S3; the logs hold ids, no PHI',
    },
    {
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason:
        'Access logs are kept 400 days in one Region; replication would double a cost for no recovery need',
    },
  );
}

/** How cdk-nag shows a stack attribute in a finding: its value when known, else the pseudo parameter. */
const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);

/** BucketDeployment's singleton Lambda (a CDK-provided handler that copies the build into the bucket). */
function acknowledgeDeployment(deployment: BucketDeployment, role: ManagedPolicyRole, site: Bucket) {
  const stack = Stack.of(deployment);
  const siteId = stack.resolve((site.node.defaultChild as CfnBucket).logicalId) as string;
  const copying =
    "CDK's BucketDeployment handler copies the built app from the CDK asset bucket into the web bucket (read the asset, write, list and delete the web bucket's objects), and invalidates the distribution";
  Validations.of(role.permissions).acknowledge(
    ...[
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      `Resource::arn:${shown(stack.partition, 'Partition')}:s3:::cdk-hnb659fds-assets-${shown(stack.account, 'AccountId')}-${shown(stack.region, 'Region')}/*`,
      `Resource::<${siteId}.Arn>/*`,
      'Resource::*',
    ].map((finding) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason: copying })),
  );
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    Validations.of(child).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: "The runtime of CDK's BucketDeployment handler is set by aws-cdk-lib",
      },
      {
        id: 'HIPAA.Security-LambdaConcurrency',
        reason: 'Runs once per deploy, during the deploy: no concurrency to reserve',
      },
      {
        id: 'HIPAA.Security-LambdaDLQ',
        reason: 'A CloudFormation custom resource: a failure fails the deploy',
      },
      {
        id: 'HIPAA.Security-LambdaInsideVPC',
        reason: 'Copies public app files between S3 buckets during a deploy; it touches no PHI',
      },
    );
  }
}
