import { describe, expect, it } from 'vitest';
import { baseConfigSchema, ConfigError, parseConfig } from '../src/index.js';

describe('parseConfig', () => {
  it('applies local defaults', () => {
    const config = parseConfig(baseConfigSchema, {
      PORT: '3001',
      MYSQL_URL: 'mysql://u:p@127.0.0.1:3306/db',
    });
    expect(config).toMatchObject({
      PORT: 3001,
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: false,
      BODY_LIMIT_BYTES: 1048576,
    });
  });

  it('names each bad variable on its own line', () => {
    try {
      parseConfig(baseConfigSchema, { PORT: 'eighty', MYSQL_URL: 'postgres://x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const lines = (error as Error).message.split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^invalid configuration: PORT: /);
      expect(lines.some((line) => line.startsWith('invalid configuration: MYSQL_URL: '))).toBe(true);
      expect(lines.some((line) => line.startsWith('invalid configuration: LOG_LEVEL: '))).toBe(true);
    }
  });
});
