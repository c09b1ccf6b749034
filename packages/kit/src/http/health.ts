import type { OpenAPIHono } from '@hono/zod-openapi';

/** A named readiness check; it throws or returns a reason string when not ready. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<string | undefined>;
}

export interface HealthState {
  /** Set on shutdown so load balancers stop sending traffic before the server closes. */
  draining: boolean;
}

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck({ check }: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), CHECK_TIMEOUT_MS);
  });
  try {
    const reason = await Promise.race([check(), timeout]);
    return reason ?? 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message ?? 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/** `/livez`: the process answers. `/readyz`: every check passes and the service is not draining. */
export function mountHealth(app: OpenAPIHono, checks: ReadinessCheck[], state: HealthState): void {
  app.get('/livez', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const results = Object.fromEntries(
      await Promise.all(checks.map(async (check) => [check.name, await runCheck(check)] as const)),
    );
    const ready = !state.draining && Object.values(results).every((result) => result === 'ok');
    return c.json(
      { status: ready ? 'ready' : state.draining ? 'draining' : 'not_ready', checks: results },
      ready ? 200 : 503,
    );
  });
}
