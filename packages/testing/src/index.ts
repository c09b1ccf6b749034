export { type CallOptions, type CallResult, createApiClient } from './api-client.js';
export { type AppliedAnswer, applyEventAsConsumer } from './apply-event.js';
export { createTestIssuer, type TestIssuer } from './issuer.js';
export { createSigningKeyDir } from './keys.js';
export { collectLogLines } from './log-lines.js';
export { createTestDatabase, mysqlAdminUrl, type TestDatabase } from './mysql.js';
export {
  installedNatsServerBin,
  natsAnswers,
  natsServerBin,
  natsUrl,
  type PrivateNatsServer,
  startPrivateNatsServer,
  unconsumedUnder,
} from './nats.js';
export {
  type AttributeValue,
  type OtlpReceiver,
  OtlpSpanKind,
  type ReceivedSpan,
  startOtlpReceiver,
} from './otlp-receiver.js';
export { freePort, type ServiceProcess, type StartServiceOptions, startServiceProcess } from './process.js';
export { type ServiceOnDatabase, serviceDir, startServiceOnTestDatabase } from './service-on-database.js';
export { TcpProxy } from './tcp-proxy.js';
export { waitFor } from './wait-for.js';
