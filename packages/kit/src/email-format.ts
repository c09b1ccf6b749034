/**
 * The e-mail addresses this platform takes: dot-separated words of letters, digits and _ ' + - before
 * the @ (not ending in an apostrophe), then a dotted domain of DNS labels (at most 63 characters each)
 * whose last label is letters. One expression both checks an address and states the rule in the
 * OpenAPI documents (zod's own e-mail check uses lookaheads, which not every client's regular-expression
 * engine follows). Every address it takes, zod's z.email() takes too: the event contracts check e-mail
 * fields with z.email(), and an address a contract refused would fail the registration that emits it.
 */
export const EMAIL_FORMAT =
  /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
