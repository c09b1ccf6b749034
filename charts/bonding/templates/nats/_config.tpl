{{/* nats.conf of the in-cluster servers (templates/nats/config.yaml); no secret in it. */}}
{{- define "bonding.natsConfig" -}}
{{- $n := .Values.nats -}}
{{- $name := include "bonding.natsName" . -}}
server_name: $POD_NAME
listen: "0.0.0.0:4222"
# Monitoring (healthz for the probes, varz/jsz for the exporter sidecar); no NetworkPolicy opens it.
http: "0.0.0.0:8222"
pid_file: "/var/run/nats/nats.pid"
lame_duck_duration: "{{ int $n.lameDuckDurationSeconds }}s"
lame_duck_grace_period: "{{ int $n.lameDuckGracePeriodSeconds }}s"
jetstream {
  store_dir: "/data/jetstream"
  max_file_store: {{ $n.jetstream.maxFileStore }}
  max_memory_store: {{ $n.jetstream.maxMemoryStore }}
}
{{- if gt (int $n.replicas) 1 }}
# Routes between the servers, by their stable names under the headless Service (NetworkPolicy: NATS pods only).
cluster {
  name: {{ $name | quote }}
  listen: "0.0.0.0:6222"
  connect_retries: 120
  {{- if $n.tls.enabled }}
  # Routes over TLS as well, both ends verified against the CA: what the servers replicate is the streams,
  # one-time codes included, and a NetworkPolicy alone does not encrypt it.
  tls {
    cert_file: "{{ include "bonding.natsClusterTlsDir" . }}/tls.crt"
    key_file: "{{ include "bonding.natsClusterTlsDir" . }}/tls.key"
    ca_file: "{{ include "bonding.natsClusterTlsDir" . }}/ca.crt"
    verify: true
    timeout: 5
  }
  {{- end }}
  routes: [
    {{- range $i := until (int $n.replicas) }}
    {{ printf "nats://%s-%d.%s-headless.%s.svc:6222" $name $i $name $.Release.Namespace | quote }}
    {{- end }}
  ]
}
{{- end }}
{{- if $n.tls.enabled }}
# Clients must speak TLS; the certificate names the client Service.
tls {
  cert_file: "/etc/nats-tls/tls.crt"
  key_file: "/etc/nats-tls/tls.key"
  ca_file: "/etc/nats-tls/ca.crt"
  timeout: 5
}
{{- end }}
# One user per service (nats-permissions.yaml, generated from platform/shape.ts) and the provisioner.
authorization {
  users: [
    {{- range $user, $rights := include "bonding.natsUsers" . | fromJson }}
    {
      user: {{ $user | quote }}
      password: ${{ include "bonding.natsPasswordVar" $user }}
      permissions: {
        publish: {
          allow: {{ include "bonding.natsSubjects" $rights.publish }}
          {{- with $rights.denyPublish }}
          deny: {{ include "bonding.natsSubjects" . }}
          {{- end }}
        }
        subscribe: { allow: {{ include "bonding.natsSubjects" $rights.subscribe }} }
      }
    }
    {{- end }}
  ]
}
{{- end -}}


{{/* Where the route certificate is mounted: its own Secret's folder, or the client certificate's. */}}
{{- define "bonding.natsClusterTlsDir" -}}
{{- if .Values.nats.tls.cluster.existingSecret -}}/etc/nats-cluster-tls{{- else -}}/etc/nats-tls{{- end -}}
{{- end -}}

{{/* A list of subjects as a nats.conf array of double-quoted strings (no variable expansion in them). */}}
{{- define "bonding.natsSubjects" -}}
{{- $quoted := list -}}
{{- range . }}{{ $quoted = append $quoted (printf "%q" .) }}{{ end -}}
[{{ join ", " $quoted }}]
{{- end -}}
