import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { natsAuthOptions } from '../../src/events/jetstream/connection.js';

describe('natsAuthOptions (NATS_USER, NATS_PASSWORD, NATS_TLS_CA_FILE)', () => {
  it('passes nothing when none is set (the local server takes anyone)', () => {
    expect(natsAuthOptions()).toEqual({});
    expect(natsAuthOptions({ user: '', password: '', tlsCaFile: '' })).toEqual({});
  });

  it('passes the user and password (nats.js ignores credentials in the URL)', () => {
    expect(natsAuthOptions({ user: 'loans', password: 's3cret' })).toEqual({ user: 'loans', pass: 's3cret' });
  });

  it('reads the CA file for TLS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nats-ca-'));
    try {
      const file = join(dir, 'ca.crt');
      writeFileSync(file, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
      expect(natsAuthOptions({ tlsCaFile: file })).toEqual({
        tls: { ca: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' },
      });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
