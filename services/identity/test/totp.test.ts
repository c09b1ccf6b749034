import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  hotp,
  otpauthUri,
  type TotpAlgorithm,
  totp,
  verifyTotp,
} from '../src/domain/totp.js';

/** RFC 6238 appendix B: the seeds are ASCII "1234567890" repeated to the hash's length. */
const seeds: Record<TotpAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};

const vectors: Array<[number, string, TotpAlgorithm]> = [
  [59, '94287082', 'sha1'],
  [59, '46119246', 'sha256'],
  [59, '90693936', 'sha512'],
  [1111111109, '07081804', 'sha1'],
  [1111111109, '68084774', 'sha256'],
  [1111111109, '25091201', 'sha512'],
  [1111111111, '14050471', 'sha1'],
  [1111111111, '67062674', 'sha256'],
  [1111111111, '99943326', 'sha512'],
  [1234567890, '89005924', 'sha1'],
  [1234567890, '91819424', 'sha256'],
  [1234567890, '93441116', 'sha512'],
  [2000000000, '69279037', 'sha1'],
  [2000000000, '90698825', 'sha256'],
  [2000000000, '38618901', 'sha512'],
  [20000000000, '65353130', 'sha1'],
  [20000000000, '77737706', 'sha256'],
  [20000000000, '47863826', 'sha512'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(vectors)('at %i s gives %s with %s (the RFC test vectors)', (seconds, expected, algorithm) => {
    expect(totp(seeds[algorithm], new Date(seconds * 1000), { digits: 8, algorithm })).toBe(expected);
  });

  it('matches RFC 4226 appendix D for HOTP', () => {
    const codes = Array.from({ length: 10 }, (_, i) => hotp(seeds.sha1, BigInt(i)));
    expect(codes).toEqual([
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ]);
  });

  it('accepts the current step and one either side, nothing further, and answers which step matched', () => {
    const at = new Date(1_234_567_890_000);
    const step = BigInt(Math.floor(1_234_567_890 / 30));
    expect(verifyTotp(seeds.sha1, totp(seeds.sha1, at), at)).toBe(step);
    expect(verifyTotp(seeds.sha1, totp(seeds.sha1, new Date(at.getTime() - 30_000)), at)).toBe(step - 1n);
    expect(verifyTotp(seeds.sha1, totp(seeds.sha1, new Date(at.getTime() + 30_000)), at)).toBe(step + 1n);
    expect(verifyTotp(seeds.sha1, totp(seeds.sha1, new Date(at.getTime() - 60_000)), at)).toBeUndefined();
    expect(verifyTotp(seeds.sha1, totp(seeds.sha1, new Date(at.getTime() + 60_000)), at)).toBeUndefined();
  });

  it('refuses anything but six digits', () => {
    const at = new Date();
    for (const code of ['', '12345', '1234567', 'abcdef', ' 12345']) {
      expect(verifyTotp(seeds.sha1, code, at)).toBeUndefined();
    }
  });

  it('encodes the secret in base32 (RFC 4648 vectors) inside an otpauth:// URI', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Encode(Buffer.from('f'))).toBe('MY');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
    expect(base32Decode('mzxw6ytboi======').toString()).toBe('foobar');
    expect(base32Decode(base32Encode(seeds.sha512))).toEqual(seeds.sha512);
    const uri = otpauthUri(seeds.sha1, 'amina@example.test', 'Bonding Platform');
    expect(uri).toBe(
      'otpauth://totp/Bonding%20Platform:amina%40example.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Bonding+Platform&algorithm=SHA1&digits=6&period=30',
    );
  });
});
