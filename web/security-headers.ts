/**
 * The web app's security headers: CloudFront's response headers policy sends them in AWS, the
 * local server sends the same ones, so a CSP violation shows up in the browser tests first.
 * No inline script or style; the only other origin is Cognito's, for the token exchange.
 */
export function contentSecurityPolicy(authOrigin?: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${authOrigin ? ` ${authOrigin}` : ''}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Two years, with subdomains: what HSTS preload lists ask for. */
export const HSTS_SECONDS = 63_072_000;

export const REFERRER_POLICY = 'no-referrer';
