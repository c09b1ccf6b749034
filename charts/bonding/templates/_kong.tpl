{{/* Kong Ingress Controller pieces shared by the edge templates. */}}

{{/*
The body (plugin, config, configPatches) of a KongPlugin or KongClusterPlugin:
(dict "root" $ "spec" {plugin, config} "cluster" bool). Rate-limiting gets the chart's counter policy:
`redis` points it at the chart's Redis (password patched in from its Secret, never written into the
object), `local` divides every limit by the number of Kong replicas, rounding up.
*/}}
{{- define "bonding.kongPluginBody" -}}
{{- $root := .root -}}
{{- $config := deepCopy (.spec.config | default dict) -}}
{{- $patches := list -}}
{{- if eq .spec.plugin "rate-limiting" -}}
{{- $rl := $root.Values.edge.rateLimiting -}}
{{- if eq $rl.policy "redis" -}}
{{- $redis := include "bonding.redisName" $root -}}
{{- $_ := set $config "policy" "redis" -}}
{{- $_ := set $config "redis" (dict "host" (printf "%s.%s.svc" $redis $root.Release.Namespace) "port" 6379 "timeout" 2000 "database" 0) -}}
{{- $ref := dict "name" $redis "key" "password-json" -}}
{{- if .cluster -}}{{- $_ := set $ref "namespace" $root.Release.Namespace -}}{{- end -}}
{{- $patches = append $patches (dict "path" "/redis/password" "valueFrom" (dict "secretKeyRef" $ref)) -}}
{{- else -}}
{{- $_ := set $config "policy" "local" -}}
{{- $replicas := int $rl.kongReplicas -}}
{{- range $period := list "second" "minute" "hour" "day" "month" "year" -}}
{{- if hasKey $config $period -}}
{{- $_ := set $config $period (div (add (int (get $config $period)) (sub $replicas 1)) $replicas) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
plugin: {{ .spec.plugin }}
config:
  {{- toYaml $config | nindent 2 }}
{{- with $patches }}
configPatches:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "bonding.redisName" -}}
{{- printf "%s-ratelimit-redis" (include "bonding.fullname" .) -}}
{{- end -}}

{{/* Is the chart's Redis needed? */}}
{{- define "bonding.redisEnabled" -}}
{{- if and .Values.edge.enabled (eq .Values.edge.rateLimiting.policy "redis") -}}true{{- end -}}
{{- end -}}

{{/* An Ingress path for a kong.yml path: KIC turns an ImplementationSpecific `/~<regex>` into `~<regex>`. */}}
{{- define "bonding.ingressPath" -}}
{{- if hasPrefix "~" . -}}/{{ . }}{{- else -}}{{ . }}{{- end -}}
{{- end -}}

{{/* The TLS Secret of the Ingresses. */}}
{{- define "bonding.tlsSecretName" -}}
{{- .Values.edge.tls.secretName | default (printf "%s-tls" (include "bonding.fullname" .)) -}}
{{- end -}}
