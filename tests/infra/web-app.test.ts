import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_PATH, SIGNED_OUT_PATH, SPA_ROUTES_FUNCTION } from '../../infra/constructs/web-app.ts';
import { logicalId, nagFindings, render, type SynthesizedCadence, shippedCadence } from './cadence-app.ts';

let dev: SynthesizedCadence;
// biome-ignore lint/suspicious/noExplicitAny: template properties are read field by field
let resources: Record<string, any>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const one = (type: string) => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]![1].Properties;
};

beforeAll(() => {
  dev = shippedCadence('dev');
  resources = dev.statelessTemplate.toJSON().Resources;
});

describe('web app: CloudFront in front of a private bucket and the API', () => {
  it('serves the bucket through origin access control, HTTPS only, and app routes as index.html', () => {
    const config = one('AWS::CloudFront::Distribution').DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    const s3 = config.Origins.find((o: { S3OriginConfig?: unknown }) => o.S3OriginConfig);
    expect(render(s3.DomainName)).toBe(`<${logicalId(dev.stateless.webApp!.bucket)}.RegionalDomainName>`);
    expect(s3.OriginAccessControlId).toBeDefined();
    expect(s3.S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(one('AWS::CloudFront::OriginAccessControl').OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const [spa] = config.DefaultCacheBehavior.FunctionAssociations;
    expect(spa.EventType).toBe('viewer-request');
    expect(one('AWS::CloudFront::Function').FunctionCode).toBe(SPA_ROUTES_FUNCTION);
    expect(config.Logging.Prefix).toBe('cloudfront/');
  });

  it('forwards /api/* unchanged to the HTTP API on the same origin: never cached, every header but Host', () => {
    const config = one('AWS::CloudFront::Distribution').DistributionConfig;
    expect(config.CacheBehaviors).toHaveLength(1);
    const [api] = config.CacheBehaviors;
    expect(api.PathPattern).toBe('/api/*');
    expect(api.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
    expect(api.CachePolicyId).toBe(CachePolicy.CACHING_DISABLED.cachePolicyId);
    expect(api.OriginRequestPolicyId).toBe(
      OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
    );
    expect(api.ViewerProtocolPolicy).toBe('https-only');
    const origin = config.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect(render(origin.DomainName)).toBe(
      `<${logicalId(dev.stateless.api!.httpApi)}>.execute-api.<AWS::Region>.amazonaws.com`,
    );
    // no origin path: the HTTP API's $default stage, where every route also exists under /api
    expect(origin.OriginPath).toBeUndefined();
  });

  it('sends CSP, HSTS, no framing, nosniff and no referrer on every answer, the API included', () => {
    const policy = one('AWS::CloudFront::ResponseHeadersPolicy').ResponseHeadersPolicyConfig;
    const config = one('AWS::CloudFront::Distribution').DistributionConfig;
    const id = { Ref: logicalId(dev.stateless.webApp!.node.findChild('SecurityHeaders')) };
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual(id);
    expect(config.CacheBehaviors[0].ResponseHeadersPolicyId).toEqual(id);
    const headers = policy.SecurityHeadersConfig;
    const csp = render(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toMatch(
      /connect-src 'self' https:\/\/cadence-dev-<AWS::AccountId>\.auth\.<AWS::Region>\.amazoncognito\.com/,
    );
    expect(headers.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 63_072_000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
  });

  it('keeps the bucket private: readable by this distribution alone, over TLS only', () => {
    const site = logicalId(dev.stateless.webApp!.bucket);
    expect(resources[site].Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const [, policy] = ofType('AWS::S3::BucketPolicy').find(
      ([, p]) => render(p.Properties.Bucket) === `<${site}>`,
    )!;
    const statements = policy.Properties.PolicyDocument.Statement;
    const allows = statements.filter((s: { Effect: string }) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0].Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allows[0].Action).toBe('s3:GetObject');
    expect(render(allows[0].Condition.StringEquals['AWS:SourceArn'])).toBe(
      `arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${logicalId(dev.stateless.webApp!.distribution)}>`,
    );
    const deny = statements.find((s: { Effect: string }) => s.Effect === 'Deny');
    expect(deny.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('deploys the build with a config.json naming the managed-login domain and the app client', () => {
    const deployment = one('Custom::CDKBucketDeployment');
    expect(deployment.SourceObjectKeys).toHaveLength(2);
    expect(render(deployment.DestinationBucketName)).toBe(`<${logicalId(dev.stateless.webApp!.bucket)}>`);
    expect(deployment.DistributionPaths).toEqual(['/index.html', '/config.json']);
    const markers = JSON.stringify(deployment.SourceMarkers);
    expect(markers).toContain(logicalId(dev.stateless.webApp!.client));
  });
});

describe('web app: the CloudFront function that serves the app routes', () => {
  const handler = new Function(`${SPA_ROUTES_FUNCTION}; return handler;`)() as (e: {
    request: { uri: string };
  }) => { uri: string };
  const served = (uri: string) => handler({ request: { uri } }).uri;

  it('answers every page of the app with index.html, ids with dots included', () => {
    for (const uri of [
      '/',
      '/signin',
      '/auth/callback',
      '/programs/sunrise/today',
      '/programs/sunrise/flags/f-1a2b',
      '/programs/sunrise/clients/c.001',
    ])
      expect(served(uri), uri).toBe('/index.html');
  });

  it('leaves the files of the build alone', () => {
    for (const uri of [
      '/assets/index-BSicrOMI.js',
      '/assets/index-ita0Almv.css',
      '/config.json',
      '/index.html',
    ])
      expect(served(uri), uri).toBe(uri);
  });
});

describe('web app: sign-in through Cognito managed login', () => {
  it('has a public client for the code flow with PKCE, called back on the distribution', () => {
    const clients = ofType('AWS::Cognito::UserPoolClient');
    expect(clients).toHaveLength(1);
    const client = clients[0]![1].Properties;
    expect(client.GenerateSecret).toBe(false);
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(client.AllowedOAuthScopes.sort()).toEqual(['email', 'openid', 'profile']);
    expect(client.SupportedIdentityProviders).toEqual(['COGNITO']);
    const distribution = logicalId(dev.stateless.webApp!.distribution);
    expect(client.CallbackURLs.map(render)).toEqual([`https://<${distribution}.DomainName>${CALLBACK_PATH}`]);
    expect(client.LogoutURLs.map(render)).toEqual([`https://<${distribution}.DomainName>${SIGNED_OUT_PATH}`]);
    // no password flow through the app; the user writes their name only
    expect(client.ExplicitAuthFlows ?? []).not.toContain('ALLOW_USER_PASSWORD_AUTH');
    expect(client.WriteAttributes).toEqual(['name']);
    expect(client.ReadAttributes).toContain('custom:programs');
  });

  it('uses the managed login (version 2) on the staff pool, whose MFA stays required', () => {
    const domain = one('AWS::Cognito::UserPoolDomain');
    expect(domain.ManagedLoginVersion).toBe(2);
    expect(render(domain.Domain)).toBe('cadence-dev-<AWS::AccountId>');
    expect(one('AWS::Cognito::ManagedLoginBranding').UseCognitoProvidedValues).toBe(true);
    const pool = Object.values(dev.statefulTemplate.findResources('AWS::Cognito::UserPool'))[0]!;
    expect(pool.Properties.MfaConfiguration).toBe('ON');
  });

  it('points alert links (APP_BASE_URL) at the distribution', () => {
    const fn = resources[logicalId(dev.stateless.functions.get('escalate-flag')!)];
    expect(render(fn.Properties.Environment.Variables.APP_BASE_URL)).toBe(
      `https://<${logicalId(dev.stateless.webApp!.distribution)}.DomainName>`,
    );
  });

  it('leaves no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(dev.stateless)).toEqual([]);
  });
});
