// The framework floor: the smallest Hono app on @hono/node-server (what every service is built on),
// answering a fixed JSON body. No middleware, no database: what is left is Node's HTTP server and
// Hono's routing, the ceiling any service endpoint can reach on this machine.
//   PORT=13099 node --import tsx bench/baselines/hono-floor.ts
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono().get('/hello', (c) => c.json({ hello: 'world' }));
const port = Number(process.env.PORT ?? 13_099);
const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
process.once('SIGTERM', () => server.close(() => process.exit(0)));
