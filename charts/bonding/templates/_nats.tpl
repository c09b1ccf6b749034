{{/*
NATS: the in-cluster JetStream cluster (nats.enabled) or an operator's server (externalNats.enabled).
Users and their permissions come from nats-permissions.yaml, generated from platform/shape.ts.
*/}}

{{/* "true" when the services get a NATS server at all (in-cluster or external). */}}
{{- define "bonding.natsOn" -}}
{{- if or .Values.externalNats.enabled .Values.nats.enabled -}}true{{- end -}}
{{- end -}}

{{/* "true" when this chart runs the NATS StatefulSet (externalNats wins over nats.enabled). */}}
{{- define "bonding.natsInCluster" -}}
{{- if and .Values.nats.enabled (not .Values.externalNats.enabled) -}}true{{- end -}}
{{- end -}}

{{- define "bonding.natsName" -}}
{{- printf "%s-nats" (include "bonding.fullname" .) -}}
{{- end -}}

{{/* The client URL the services and the provisioning Job get (no credentials in it). */}}
{{- define "bonding.natsUrl" -}}
{{- if .Values.externalNats.enabled -}}
{{- .Values.externalNats.url -}}
{{- else -}}
{{- printf "%s://%s.%s.svc:4222" (ternary "tls" "nats" .Values.nats.tls.enabled) (include "bonding.natsName" .) .Release.Namespace -}}
{{- end -}}
{{- end -}}

{{/* The Secret with one password per NATS user (key = user name). */}}
{{- define "bonding.natsCredentialsSecret" -}}
{{- if .Values.externalNats.enabled -}}
{{- .Values.externalNats.existingSecret -}}
{{- else -}}
{{- printf "%s-users" (include "bonding.natsName" .) -}}
{{- end -}}
{{- end -}}

{{/* The generated users as JSON {name: {publish, subscribe}}: the enabled services' and the provisioner. */}}
{{- define "bonding.natsUsers" -}}
{{- $all := (.Files.Get "nats-permissions.yaml" | fromYaml).users | default dict -}}
{{- $enabled := include "bonding.enabledServices" . | fromJsonArray -}}
{{- $users := dict -}}
{{- range $name, $user := $all -}}
{{- if or (eq $name "provisioner") (has $name $enabled) -}}
{{- $_ := set $users $name $user -}}
{{- end -}}
{{- end -}}
{{- toJson $users -}}
{{- end -}}

{{/* The JetStream stream's name (nats-permissions.yaml). */}}
{{- define "bonding.natsStream" -}}
{{- (.Files.Get "nats-permissions.yaml" | fromYaml).stream -}}
{{- end -}}

{{/* The subject root of the platform's events (nats-permissions.yaml), NATS_SUBJECT_PREFIX. */}}
{{- define "bonding.natsSubjectPrefix" -}}
{{- (.Files.Get "nats-permissions.yaml" | fromYaml).prefix -}}
{{- end -}}

{{/* The environment variable holding a user's password inside the NATS pods. */}}
{{- define "bonding.natsPasswordVar" -}}
{{- printf "NATS_PASSWORD_%s" (. | upper | replace "-" "_") -}}
{{- end -}}

{{/*
A client's NATS environment (services and the provisioning Job): NATS_URL, NATS_STREAM,
NATS_SUBJECT_PREFIX (the kit's defaults, as nats-permissions.yaml grants them), NATS_USER, NATS_PASSWORD
(from the credentials Secret) and, with in-cluster TLS, NATS_TLS_CA_FILE (the CA mounted at
/etc/bonding/nats-tls). (dict "root" $ "user" <name>)
*/}}
{{- define "bonding.natsClientEnv" -}}
- { name: NATS_URL, value: {{ include "bonding.natsUrl" .root | quote }} }
- { name: NATS_STREAM, value: {{ include "bonding.natsStream" .root | quote }} }
- { name: NATS_SUBJECT_PREFIX, value: {{ include "bonding.natsSubjectPrefix" .root | quote }} }
- { name: NATS_USER, value: {{ .user | quote }} }
- name: NATS_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ include "bonding.natsCredentialsSecret" .root | quote }}, key: {{ .user | quote }} }
{{- if include "bonding.natsTlsCa" .root }}
- { name: NATS_TLS_CA_FILE, value: /etc/bonding/nats-tls/ca.crt }
{{- end }}
{{- end -}}

{{/* The Secret holding the CA clients verify NATS with, when there is one to mount. */}}
{{- define "bonding.natsTlsCa" -}}
{{- if .Values.externalNats.enabled -}}
{{- .Values.externalNats.tls.caSecret -}}
{{- else if .Values.nats.tls.enabled -}}
{{- .Values.nats.tls.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* Whether a service has a NATS user: it produces or consumes events. (dict "root" $ "name" <service>) */}}
{{- define "bonding.hasNatsUser" -}}
{{- if and (include "bonding.natsOn" .root) (hasKey (include "bonding.natsUsers" .root | fromJson) .name) -}}true{{- end -}}
{{- end -}}

{{/* A NetworkPolicy egress rule to the NATS client port: the chart's servers or externalNats.peers. */}}
{{- define "bonding.natsEgress" -}}
{{- if .Values.externalNats.enabled -}}
- {{- with .Values.externalNats.peers }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  ports: [{ protocol: TCP, port: {{ int .Values.externalNats.port }} }]
{{- else -}}
- to:
    {{- include "bonding.componentPeer" (dict "root" . "component" "nats") | nindent 4 }}
  ports: [{ protocol: TCP, port: 4222 }]
{{- end -}}
{{- end -}}
