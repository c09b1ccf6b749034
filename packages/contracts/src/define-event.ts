import { z } from 'zod';

/**
 * One version of one event. A breaking change (a field removed, renamed or
 * retyped) is a new version with its own contract; adding an optional field is
 * not, because consumers read with `readSchema`, which ignores fields it does
 * not know.
 */
export interface EventContract<
  Type extends string = string,
  Version extends number = number,
  Shape extends z.core.$ZodLooseShape = z.core.$ZodLooseShape,
> {
  readonly type: Type;
  readonly version: Version;
  /** `type@version`, e.g. `user.registered@1`: how logs, handlers and dead letters name it. */
  readonly key: `${Type}@${Version}`;
  readonly description: string;
  /**
   * Carries a one-time code (a verification, reset, confirmation or consent code): published on the
   * private stream, which only the services allowed to read codes (notifications) consume and which keeps
   * events for a short time (docs/events.md, "The private stream"). All versions of a type agree.
   */
  readonly secret: boolean;
  /** What a producer must emit. Unknown fields are refused, so nothing unplanned (personal data) slips in. */
  readonly schema: z.ZodObject<Shape, z.core.$strict>;
  /** What a consumer reads. Unknown fields are dropped, so an added optional field breaks nobody. */
  readonly readSchema: z.ZodObject<Shape, z.core.$strip>;
  /** The entity whose events must reach each consumer in the order they happened (a user, a loan). */
  aggregateOf(data: z.output<z.ZodObject<Shape, z.core.$strip>>): string;
}

export function defineEvent<
  const Type extends string,
  const Version extends number,
  Shape extends z.core.$ZodLooseShape,
>(definition: {
  type: Type;
  version: Version;
  description: string;
  /** The data carries a one-time code (see EventContract.secret). */
  secret?: true;
  shape: Shape;
  aggregate: (data: z.output<z.ZodObject<Shape, z.core.$strip>>) => string;
}): EventContract<Type, Version, Shape> {
  return {
    type: definition.type,
    version: definition.version,
    key: `${definition.type}@${definition.version}`,
    description: definition.description,
    secret: definition.secret === true,
    schema: z.strictObject(definition.shape) as z.ZodObject<Shape, z.core.$strict>,
    readSchema: z.object(definition.shape) as z.ZodObject<Shape, z.core.$strip>,
    aggregateOf: definition.aggregate,
  };
}
