import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureSigningKeys } from '../lib/keys.js';
import { provisionServiceDatabase } from '../lib/mysql-server.js';

const tmp = mkdtempSync(join(tmpdir(), 'bonding-scripts-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ensureSigningKeys', () => {
  it('creates one private PKCS#8 key once and then leaves the directory alone', () => {
    const dir = join(tmp, 'keys');
    expect(ensureSigningKeys(dir)).toBe(dir);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^dev-\d{8}\.pem$/);
    const file = join(dir, files[0] as string);
    // A PKCS#8 private key that Node can load (what identity's key ring reads).
    const key = createPrivateKey(readFileSync(file));
    expect(key.type).toBe('private');
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    ensureSigningKeys(dir);
    expect(readdirSync(dir)).toEqual(files);
  });
});

const adminUrl = process.env.MYSQL_ADMIN_URL;

describe.skipIf(!adminUrl)('provisionServiceDatabase', () => {
  const service = `t${Date.now().toString(36)}${process.pid}`;
  const store = join(tmp, 'services.json');

  afterAll(async () => {
    const admin = await mysql.createConnection({ uri: adminUrl as string });
    await admin.query(`DROP DATABASE IF EXISTS \`bonding_${service}\``);
    for (const host of ['%', 'localhost'])
      await admin.query('DROP USER IF EXISTS ?@?', [`${service}_app`, host]);
    await admin.end();
  });

  it('creates a database and a user confined to it, idempotently', async () => {
    const url = await provisionServiceDatabase(adminUrl as string, service, store);
    expect(await provisionServiceDatabase(adminUrl as string, service, store)).toBe(url);
    expect(statSync(store).mode & 0o777).toBe(0o600);
    expect(new URL(url).pathname).toBe(`/bonding_${service}`);

    const conn = await mysql.createConnection({ uri: url });
    try {
      await conn.query('CREATE TABLE t (id INT PRIMARY KEY)');
      await conn.query('INSERT INTO t VALUES (1)');
      await expect(conn.query('CREATE DATABASE `bonding_elsewhere_probe`')).rejects.toThrow(/denied/i);
    } finally {
      await conn.end();
    }
  });
});
