/**
 * Typed domain errors. Handlers throw these; the app factory maps them once to
 * RFC 9457 problem+json, so no handler writes an error body by hand.
 */
export interface FieldError {
  /** Dotted path of the offending field, e.g. `body.email` or `query.limit`. */
  field: string;
  message: string;
  code?: string;
}

export interface ProblemOptions {
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra members merged into the problem document. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

export class DomainError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(status: number, code: string, title: string, options: ProblemOptions = {}) {
    super(options.detail ?? title, { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

const errorClass = (status: number, title: string, defaultCode: string) =>
  class extends DomainError {
    constructor(code: string = defaultCode, detail?: string, options: Omit<ProblemOptions, 'detail'> = {}) {
      super(status, code, title, { ...options, ...(detail === undefined ? {} : { detail }) });
    }
  };

export class BadRequest extends errorClass(400, 'Bad Request', 'bad_request') {}
export class Unauthorized extends errorClass(401, 'Unauthorized', 'unauthorized') {}
export class Forbidden extends errorClass(403, 'Forbidden', 'forbidden') {}
export class NotFound extends errorClass(404, 'Not Found', 'not_found') {}
export class Conflict extends errorClass(409, 'Conflict', 'conflict') {}
export class PreconditionFailed extends errorClass(412, 'Precondition Failed', 'precondition_failed') {}
export class PreconditionRequired extends errorClass(428, 'Precondition Required', 'precondition_required') {}
export class TooManyRequests extends errorClass(429, 'Too Many Requests', 'too_many_requests') {}
export class ServiceUnavailable extends errorClass(503, 'Service Unavailable', 'service_unavailable') {}

/** A well-formed request the service's rules refuse (422), optionally naming the field at fault. */
export class Unprocessable extends DomainError {
  constructor(code: string, detail: string, field?: string) {
    super(422, code, 'Unprocessable Content', {
      detail,
      ...(field ? { errors: [{ field, message: detail, code }] } : {}),
    });
  }
}

/**
 * Fields each valid on their own that the request cannot have together, by a rule across fields or about
 * the caller. JSON Schema cannot state such rules (it cannot compare two fields or see the caller's role),
 * so they are 422, not 400: a 400 always means the request breaks the published schema.
 */
export class FieldsRefused extends DomainError {
  constructor(
    code: string,
    errors: FieldError[],
    detail = 'These fields do not fit together; see errors[].',
  ) {
    super(422, code, 'Unprocessable Content', { detail, errors });
  }
}

export class ValidationFailed extends DomainError {
  constructor(errors: FieldError[], detail = 'The request is not valid; see errors[] for each field.') {
    super(400, 'validation_failed', 'Bad Request', { detail, errors });
  }
}
