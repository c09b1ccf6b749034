import { describe, expect, it } from 'vitest';
import { redactUrl } from '../src/tracing/redact.js';

describe('URLs in spans', () => {
  it('lose consent codes and stream tickets, and keep everything else', () => {
    expect(redactUrl('/api/v1/guarantor-consents/AbC_123-x')).toBe('/api/v1/guarantor-consents/{code}');
    expect(redactUrl('http://h/api/v1/guarantor-consents/AbC?x=1')).toBe(
      'http://h/api/v1/guarantor-consents/{code}?x=1',
    );
    expect(redactUrl('/api/v1/notifications/stream?ticket=s3cr3t&after=4')).toBe(
      '/api/v1/notifications/stream?ticket={redacted}&after=4',
    );
    expect(redactUrl('ticket=s3cr3t')).toBe('ticket={redacted}');
    expect(redactUrl('/api/v1/loans/0190-abc/tranches?limit=5')).toBe(
      '/api/v1/loans/0190-abc/tranches?limit=5',
    );
  });
});
