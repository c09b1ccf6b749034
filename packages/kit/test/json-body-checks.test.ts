import { describe, expect, it } from 'vitest';
import { jsonStructureProblems } from '../src/http/json-body-checks.js';
import { createTestApp } from './test-app.js';

/** A POST as it arrives over HTTP: the guard looks at bodies that announce their length. */
function post(body: string | Uint8Array) {
  const { app } = createTestApp();
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return app.request('/api/v1/items', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(bytes.byteLength) },
    body: bytes,
  });
}

describe('JSON bodies the kit refuses before any handler runs', () => {
  it('answers 400 invalid_utf8 for bytes that are not UTF-8', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{"name":"'), 0xc3, 0x28, 0x22, 0x7d]);
    const response = await post(bytes);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'invalid_utf8', errors: [{ field: 'body' }] });
  });

  it('answers 400 naming a key that appears twice, however it is escaped', async () => {
    const response = await post('{"name":"a","\\u006eame":"b"}');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'body.name', code: 'duplicate_key' }],
    });
  });

  it('answers 400 too_deep for nesting no request of the API needs, without exhausting the stack', async () => {
    const response = await post(`{"name":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ code: 'too_deep' }] });
  });

  it('still accepts a body with the same key in different objects', async () => {
    const response = await post('{"name":"ok"}');
    expect(response.status).toBe(201);
  });
});

describe('jsonStructureProblems', () => {
  it('names each duplicate by its path, in objects nested in arrays too', () => {
    expect(
      jsonStructureProblems('{"a":[{"b":1,"c":{"b":2}},{"b":3,"b":4}],"d":"{\\"x\\":1,\\"x\\":2}"}'),
    ).toEqual([{ field: 'body.a.1.b', message: 'appears more than once', code: 'duplicate_key' }]);
  });

  it('leaves malformed JSON to the body validator', () => {
    expect(jsonStructureProblems('{"a":1,"a":')).toEqual([]);
  });

  it('allows nesting up to the limit', () => {
    expect(jsonStructureProblems(`${'['.repeat(32)}${']'.repeat(32)}`)).toEqual([]);
    expect(jsonStructureProblems(`${'['.repeat(33)}${']'.repeat(33)}`)).toHaveLength(1);
  });
});
