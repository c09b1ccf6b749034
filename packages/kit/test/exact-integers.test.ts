import { describe, expect, it } from 'vitest';
import { inexactNumbers } from '../src/index.js';

describe('inexactNumbers', () => {
  it('accepts integers written as digits within ±(2^53 − 1)', () => {
    expect(
      inexactNumbers('{"a":1,"b":-5,"c":0,"d":9007199254740991,"e":-9007199254740991,"f":[1,2]}'),
    ).toEqual([]);
    expect(inexactNumbers('{"s":"1.5","t":true,"n":null}')).toEqual([]);
  });

  it('accepts an integer written with a fraction of zeros, which JSON Schema calls an integer', () => {
    expect(inexactNumbers('{"a":10.0,"b":-3.000,"c":[0.0]}')).toEqual([]);
  });

  it('names every number with a fraction other than zeros or an exponent, even one JSON.parse would make whole', () => {
    const errors = inexactNumbers('{"amount":10.01,"nested":{"x":1e3},"list":[1,2.5],"neg":-0.5}');
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      ['body.amount', 'not_an_integer'],
      ['body.nested.x', 'not_an_integer'],
      ['body.list.1', 'not_an_integer'],
      ['body.neg', 'not_an_integer'],
    ]);
  });

  it('names numbers beyond 2^53 − 1 that JSON.parse would round', () => {
    expect(inexactNumbers('{"a":9007199254740992,"b":9007199254740993,"c":-9007199254740993}')).toEqual([
      expect.objectContaining({ field: 'body.a', code: 'too_big' }),
      expect.objectContaining({ field: 'body.b', code: 'too_big' }),
      expect.objectContaining({ field: 'body.c', code: 'too_small' }),
    ]);
    expect(inexactNumbers('123456789012345678901234567890')).toEqual([
      expect.objectContaining({ field: 'body', code: 'too_big' }),
    ]);
  });

  it('leaves malformed JSON to the body validator', () => {
    expect(inexactNumbers('{"amount": 1.5')).toEqual([]);
  });
});
