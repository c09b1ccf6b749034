import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for sensitive fields at rest (national IDs, bank account
 * numbers). Each value carries the id of the key that sealed it, so keys rotate:
 * seal with the newest, open with whichever sealed it, re-seal at leisure.
 *
 * Stored form: `<kid>:<iv>:<ciphertext>:<tag>`, each part base64url.
 */
export interface FieldCipher {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** The kid a stored value was sealed with (to find values that need re-sealing). */
  kidOf(sealed: string): string;
  activeKid: string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;

export class FieldCipherError extends Error {}

/** Parses `kid:base64key,kid:base64key` (each key 32 random bytes). */
export function parseFieldKeys(text: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const index = entry.indexOf(':');
    const kid = entry.slice(0, index);
    const key = Buffer.from(entry.slice(index + 1), 'base64');
    if (index <= 0 || !/^[A-Za-z0-9._-]{1,32}$/.test(kid))
      throw new FieldCipherError(`bad key id in "${kid || entry}"`);
    if (key.length !== KEY_BYTES)
      throw new FieldCipherError(`key ${kid} must be ${KEY_BYTES} bytes (base64), not ${key.length}`);
    keys.set(kid, key);
  }
  if (keys.size === 0) throw new FieldCipherError('no keys');
  return keys;
}

export function createFieldCipher(keys: Map<string, Buffer>, activeKid: string): FieldCipher {
  const active = keys.get(activeKid);
  if (!active) throw new FieldCipherError(`the active key ${activeKid} is not among the keys`);
  return {
    activeKid,
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', active, iv);
      // The kid is authenticated too, so a value cannot be relabelled to another key.
      cipher.setAAD(Buffer.from(activeKid));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [activeKid, iv, ciphertext, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join(':');
    },
    open(sealed) {
      const [kid = '', iv = '', ciphertext = '', tag = ''] = sealed.split(':');
      const key = keys.get(kid);
      if (!key) throw new FieldCipherError(`no key ${kid} to open this value`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(kid));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
    kidOf(sealed) {
      return sealed.slice(0, sealed.indexOf(':'));
    },
  };
}

/**
 * A keyed hash for equality lookups on encrypted values (a blind index): the
 * same input always gives the same output, but without the key it reveals
 * nothing. Inputs are normalised first so formatting does not defeat it.
 */
export function blindIndex(key: Buffer, purpose: string, value: string): string {
  return createHmac('sha256', key).update(`${purpose}\u0000${value}`).digest('hex');
}

/** Shows only the last four characters: `••••1234`. */
export function maskLastFour(value: string): string {
  return `${'•'.repeat(Math.max(0, Math.min(value.length - 4, 8)))}${value.slice(-4)}`;
}
