{{/* Pieces of the service pods. */}}

{{/* Volume mounts of a service's containers: (dict "root" $ "svc" $svc). */}}
{{- define "bonding.serviceVolumeMounts" -}}
- { name: tmp, mountPath: /tmp }
{{- if .svc.signsTokens }}
- { name: jwt-keys, mountPath: /etc/bonding/jwt-keys, readOnly: true }
{{- end }}
{{- if and .svc.database.enabled .svc.database.tls.enabled (not .svc.database.external.enabled) }}
- { name: mysql-tls, mountPath: /etc/bonding/mysql-tls, readOnly: true }
{{- end }}
{{- if and (include "bonding.hasNatsUser" (dict "root" .root "name" .svc.name)) (include "bonding.natsTlsCa" .root) }}
- { name: nats-tls, mountPath: /etc/bonding/nats-tls, readOnly: true }
{{- end }}
{{- end -}}

{{/*
Waits (up to 10 minutes, then fails so the kubelet retries with back-off) until the host of MYSQL_URL
accepts TCP connections. It prints the host, never the URL: the URL holds the password.
*/}}
{{- define "bonding.waitForMysqlScript" -}}
const net = require('node:net');
const url = new URL(process.env.MYSQL_URL);
const port = Number(url.port || 3306);
const deadline = Date.now() + 600000;
function attempt() {
  const socket = net.connect(port, url.hostname);
  socket.setTimeout(2000);
  socket.once('connect', () => {
    socket.destroy();
    console.log(`mysql at ${url.hostname}:${port} accepts connections`);
    process.exit(0);
  });
  const retry = () => {
    socket.destroy();
    if (Date.now() > deadline) {
      console.error(`gave up waiting for mysql at ${url.hostname}:${port}`);
      process.exit(1);
    }
    setTimeout(attempt, 2000);
  };
  socket.once('error', retry);
  socket.once('timeout', retry);
}
attempt();
{{- end -}}
