import { z } from 'zod';
import { parsedWith } from '../config.js';
import { parseAcceptedSecrets, parsePeerSecrets } from './secrets.js';

/** The environment of the signed /internal calls between services; the event config spreads it. */
export const internalCallConfigShape = {
  /** Secrets accepted on this service's /internal routes (newest first, at most two, ≥ 32 characters each); empty: refuse all. */
  INTERNAL_SECRETS: parsedWith(parseAcceptedSecrets),
  /** `name=secret` for each service whose /internal routes this one calls (signed commands). */
  INTERNAL_PEER_SECRETS: parsedWith(parsePeerSecrets),
  /** Signed /internal calls older or newer than this are refused (replay guard). */
  INTERNAL_SIGNATURE_MAX_SKEW_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
};
