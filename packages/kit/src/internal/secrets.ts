/**
 * Parsing of the secrets for internal signatures. Error messages name entries,
 * never the secret values, because configuration errors are printed.
 */
export const MIN_SECRET_LENGTH = 32;

function checkSecret(secret: string, where: string): void {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`${where} is shorter than ${MIN_SECRET_LENGTH} characters`);
  }
}

/** `INTERNAL_SECRETS`: the secrets this service accepts, comma-separated, newest first; at most two. */
export function parseAcceptedSecrets(text: string): string[] {
  const secrets = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (secrets.length > 2) throw new Error('at most two secrets (the current one and the one being retired)');
  secrets.forEach((secret, index) => {
    checkSecret(secret, `secret ${index + 1}`);
  });
  return secrets;
}

/** `INTERNAL_PEER_SECRETS`: `name=secret` pairs separated by `;` or newlines: the secret of each service this one calls. */
export function parsePeerSecrets(text: string): Record<string, string> {
  const peers: Record<string, string> = {};
  for (const entry of text
    .split(/[;\n]/)
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf('=');
    const name = entry.slice(0, Math.max(separator, 0)).trim();
    const secret = entry.slice(separator + 1).trim();
    if (separator <= 0 || !/^[a-z][a-z0-9-]{0,62}$/.test(name)) {
      throw new Error('entries must be name=secret with a lower-case service name');
    }
    if (name in peers) throw new Error(`${name} is named twice`);
    checkSecret(secret, `the secret of ${name}`);
    peers[name] = secret;
  }
  return peers;
}
