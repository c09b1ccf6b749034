{{/* The environment of a service container. Non-secret values live in its ConfigMap; secrets are refs. */}}

{{- define "bonding.serviceUrl" -}}
{{- $svc := include "bonding.service" (dict "root" .root "name" .name) | fromJson -}}
{{- printf "http://%s:%d" $svc.fullname (int $svc.port) -}}
{{- end -}}

{{/* The ConfigMap data of a service: (dict "root" $ "svc" $svc). */}}
{{- define "bonding.configEnv" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $enabled := include "bonding.enabledServices" $root | fromJsonArray -}}
{{- $env := dict "NODE_ENV" "production" "HOST" "0.0.0.0" "PORT" (toString (int $svc.port)) "LOG_LEVEL" $root.Values.platform.logLevel -}}
{{- if $svc.database.enabled -}}
{{- /* Migrations already ran in the init container. */ -}}
{{- $_ := set $env "MIGRATE_ON_START" "false" -}}
{{- end -}}
{{- if or $svc.verifiesTokens $svc.signsTokens -}}
{{- $_ := set $env "JWT_ISSUER" $root.Values.platform.jwtIssuer -}}
{{- $_ := set $env "JWT_AUDIENCE" $root.Values.platform.jwtAudience -}}
{{- $_ := set $env "JWKS_URL" (printf "%s/.well-known/jwks.json" (include "bonding.serviceUrl" (dict "root" $root "name" "identity"))) -}}
{{- end -}}
{{- if $svc.signsTokens -}}
{{- $_ := set $env "JWT_KEYS_DIR" "/etc/bonding/jwt-keys" -}}
{{- /* Tokens carry "<namespace>/<release>/<kid>", the key of this release's Kong jwt credential. */ -}}
{{- $_ := set $env "JWT_KID_PREFIX" (include "bonding.edgeScope" $root) -}}
{{- if $root.Values.jwt.activeKid -}}{{- $_ := set $env "JWT_ACTIVE_KID" $root.Values.jwt.activeKid -}}{{- end -}}
{{- end -}}
{{- if and $svc.createsFirstAdmin $root.Values.firstAdmin.email -}}
{{- $_ := set $env "ADMIN_EMAIL" $root.Values.firstAdmin.email -}}
{{- end -}}
{{- with $root.Values.observability.otlpEndpoint -}}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" . -}}
{{- $_ := set $env "OTEL_SERVICE_NAME" $svc.name -}}
{{- $_ := set $env "OTEL_TRACES_SAMPLER" "parentbased_traceidratio" -}}
{{- $_ := set $env "OTEL_TRACES_SAMPLER_ARG" (toString $root.Values.observability.tracesSampleRatio) -}}
{{- end -}}
{{- range $name := concat $svc.calls $svc.internalCalls | uniq -}}
{{- if has $name $enabled -}}
{{- $_ := set $env (printf "%s_URL" ($name | upper | replace "-" "_")) (include "bonding.serviceUrl" (dict "root" $root "name" $name)) -}}
{{- end -}}
{{- end -}}
{{- if $svc.subscriptions -}}{{- $_ := set $env "EVENT_SUBSCRIPTIONS" (join "," $svc.subscriptions) -}}{{- end -}}
{{- if and $svc.database.enabled $svc.database.tls.enabled (not $svc.database.external.enabled) -}}
{{- /* Node adds this CA to its default trust store, which mysql2's TLS connections use. */ -}}
{{- $_ := set $env "NODE_EXTRA_CA_CERTS" "/etc/bonding/mysql-tls/ca.crt" -}}
{{- end -}}
{{- range $key, $value := $svc.env -}}
{{- $_ := set $env $key (toString $value) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* The secret environment of a service, as a list of EnvVar: (dict "root" $ "svc" $svc). */}}
{{- define "bonding.secretEnv" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $fullname := include "bonding.fullname" $root -}}
{{- include "bonding.mysqlEnv" . }}
{{- if has $svc.name (include "bonding.signedReceivers" $root | fromJsonArray) }}
- name: INTERNAL_SECRETS
  valueFrom:
    secretKeyRef: { name: {{ printf "%s-internal" $fullname }}, key: {{ $svc.name }} }
{{- end }}
{{- $peers := include "bonding.signedPeers" (dict "root" $root "svc" $svc) | fromJsonArray }}
{{- if $peers }}
{{- $pairs := list }}
{{- range $peer := $peers }}
{{- $var := printf "INTERNAL_PEER_SECRET_%s" ($peer | upper | replace "-" "_") }}
{{- $pairs = append $pairs (printf "%s=$(%s)" $peer $var) }}
- name: {{ $var }}
  valueFrom:
    secretKeyRef: { name: {{ printf "%s-internal" $fullname }}, key: {{ $peer }} }
{{- end }}
- name: INTERNAL_PEER_SECRETS
  value: {{ join ";" $pairs | quote }}
{{- end }}
{{- if and $svc.createsFirstAdmin $root.Values.firstAdmin.email }}
- name: ADMIN_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ $root.Values.firstAdmin.existingSecret | default (printf "%s-first-admin" $fullname) | quote }}, key: password }
{{- end }}
{{- if include "bonding.hasNatsUser" (dict "root" $root "name" $svc.name) }}
{{- /* The event broker: its URL, this service's user and password, the CA; the stream and subject root. */}}
{{ include "bonding.natsClientEnv" (dict "root" $root "user" $svc.name) }}
{{- end }}
{{- range $name := keys $svc.generatedSecrets | sortAlpha }}
{{- if not (hasKey $svc.secretEnv $name) }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef: { name: {{ printf "%s-generated" $svc.fullname }}, key: {{ $name }} }
{{- end }}
{{- end }}
{{- range $name, $ref := $svc.secretEnv }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef: { name: {{ $ref.name | quote }}, key: {{ $ref.key | quote }} }
{{- end }}
{{- end -}}

{{/* MYSQL_URL of a service (and the password it is built from): (dict "root" $ "svc" $svc). */}}
{{- define "bonding.mysqlEnv" -}}
{{- $svc := .svc -}}
{{- if $svc.database.enabled }}
{{- if $svc.database.external.enabled }}
- name: MYSQL_URL
  valueFrom:
    secretKeyRef: { name: {{ $svc.database.external.existingSecret | quote }}, key: {{ $svc.database.external.urlKey | quote }} }
{{- else }}
- name: MYSQL_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ printf "%s-mysql" $svc.fullname }}, key: password }
{{- /* Generated passwords are alphanumeric, so they need no URL encoding. */}}
{{- $url := printf "mysql://%s:$(MYSQL_PASSWORD)@%s-mysql:3306/%s" $svc.database.user $svc.fullname $svc.database.databaseName }}
{{- if $svc.database.tls.enabled }}
{{- /* mysql2 reads query parameters as JSON options: verify the certificate and its host name. */}}
{{- $url = printf "%s?ssl=%s" $url (urlquery "{\"rejectUnauthorized\":true,\"verifyIdentity\":true}") }}
{{- end }}
- name: MYSQL_URL
  value: {{ $url | quote }}
{{- end }}
{{- end }}
{{- end -}}
