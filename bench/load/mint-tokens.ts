// Access tokens shaped like identity's (RS256, `kid`, typ at+jwt, the same claims), signed with the
// bench's own key, each with its own jti: a service has never seen any of them, so each costs it a
// full signature verification. node:crypto signs in ~1 ms, so 10 000 tokens take ~10 s; that happens
// before the measured run.
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { MintSpec } from './scenario.js';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function mintTokens(spec: MintSpec): string[] {
  const key = createPrivateKey(readFileSync(spec.keyFile, 'utf8'));
  const header = base64url({ alg: 'RS256', kid: spec.kid, typ: 'at+jwt' });
  const issuedAt = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  for (let i = 0; i < spec.count; i++) {
    const payload = base64url({
      role: spec.role,
      sid: randomUUID(),
      email_verified: true,
      iss: spec.issuer,
      aud: spec.audience,
      sub: spec.subject,
      jti: randomUUID(),
      iat: issuedAt,
      exp: issuedAt + 900,
    });
    const signingInput = `${header}.${payload}`;
    const signature = sign('sha256', Buffer.from(signingInput), key).toString('base64url');
    tokens.push(`${signingInput}.${signature}`);
  }
  return tokens;
}
