import { baseConfigShape, checkEventConfig, eventConfigShape } from '@bonding/kit';
import { z } from 'zod';

export const catalogConfigSchema = z
  .object({
    ...baseConfigShape,
    ...eventConfigShape,
    PORT: z.coerce.number().int().min(0).max(65535).default(3003),
  })
  .superRefine(checkEventConfig);

export type CatalogConfig = z.infer<typeof catalogConfigSchema>;
