/**
 * The e-mail addresses this platform takes: dot-separated words of letters, digits and _ ' + - before
 * the @, then a dotted domain of DNS labels (at most 63 characters each) whose last label is letters.
 * One expression both checks an address and states the rule in the OpenAPI documents (zod's own e-mail
 * check uses lookaheads, which not every client's regular-expression engine follows).
 */
export const EMAIL_FORMAT =
  /^[A-Za-z0-9_'+-]+(?:\.[A-Za-z0-9_'+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
