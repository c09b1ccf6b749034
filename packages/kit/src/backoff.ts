export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before the next attempt after `attempts` failed ones: exponential
 * (base, 2×base, 4×base, …) up to the cap, with "equal jitter" — half fixed,
 * half random — so consumers coming back are not hit by every producer at once,
 * yet no retry comes sooner than half its step.
 */
export function retryDelayMs(
  attempts: number,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const step = Math.min(settings.maxMs, settings.baseMs * 2 ** exponent);
  return Math.round(step / 2 + random() * (step / 2));
}
