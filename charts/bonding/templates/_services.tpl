{{/*
The effective settings of each service. Helm's own merge functions skip "empty" overrides (false, 0, ""),
which would make `autoscaling.enabled: false` under a service silently lose to serviceDefaults; this
merge decides by key presence instead. Maps merge recursively; lists and scalars replace.
Templates return strings, so structured results travel as JSON (numbers come back as float64: print them
with `int`).
*/}}
{{- define "bonding.deepMerge" -}}
{{- $out := dict -}}
{{- range $key, $value := .base -}}
{{- $_ := set $out $key $value -}}
{{- end -}}
{{- range $key, $value := .over -}}
{{- $current := get $out $key -}}
{{- if and (kindIs "map" $value) (kindIs "map" $current) -}}
{{- $_ := set $out $key (include "bonding.deepMerge" (dict "base" $current "over" $value) | fromJson) -}}
{{- else -}}
{{- $_ := set $out $key $value -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
One service's settings as JSON: (dict "root" $ "name" "identity"). Three layers, later ones winning:
serviceDefaults, the platform's shape (platform-shape.yaml: port, edge routes, event subscriptions,
generated from platform/shape.ts) and values.yaml's services.<name>.
*/}}
{{- define "bonding.service" -}}
{{- $raw := index .root.Values.services .name | default dict -}}
{{- $shape := (.root.Files.Get "platform-shape.yaml" | fromYaml).services | default dict -}}
{{- $declared := index $shape .name | default dict -}}
{{- $base := include "bonding.deepMerge" (dict "base" .root.Values.serviceDefaults "over" $declared) | fromJson -}}
{{- $svc := include "bonding.deepMerge" (dict "base" $base "over" $raw) | fromJson -}}
{{- $db := include "bonding.deepMerge" (dict "base" .root.Values.mysql "over" $svc.database) | fromJson -}}
{{- $_ := set $db "databaseName" ($db.databaseName | default .name) -}}
{{- $_ := set $db "user" ($db.user | default .name) -}}
{{- $_ := set $svc "database" $db -}}
{{- $_ := set $svc "name" .name -}}
{{- $_ := set $svc "fullname" (printf "%s-%s" (include "bonding.fullname" .root) .name) -}}
{{- $_ := set $svc "component" .name -}}
{{- toJson $svc -}}
{{- end -}}

{{/*
The edge settings as JSON: values.yaml's edge, with the route plugins of platform-shape.yaml (generated from
platform/shape.ts) beneath its edge.plugins, key by key.
*/}}
{{- define "bonding.edge" -}}
{{- $shape := (.Files.Get "platform-shape.yaml" | fromYaml).edge | default dict -}}
{{- $declared := dict "plugins" ($shape.plugins | default dict) -}}
{{- include "bonding.deepMerge" (dict "base" $declared "over" .Values.edge) -}}
{{- end -}}

{{/* The names of the enabled services, as a JSON list. */}}
{{- define "bonding.enabledServices" -}}
{{- $names := list -}}
{{- range $name, $_ := .Values.services -}}
{{- $svc := include "bonding.service" (dict "root" $ "name" $name) | fromJson -}}
{{- if $svc.enabled -}}{{- $names = append $names $name -}}{{- end -}}
{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{/* Does this service run an in-cluster MySQL StatefulSet? */}}
{{- define "bonding.ownsMysql" -}}
{{- if and .enabled .database.enabled (not .database.external.enabled) -}}true{{- end -}}
{{- end -}}

{{/*
The enabled services one service sends requests to (DESIGN §3): calls with the user's token, signed
/internal calls and identity's JWKS (events go through NATS: bonding.natsClientEnv). (dict "root" $ "svc" $svc)
*/}}
{{- define "bonding.serviceTargets" -}}
{{- $enabled := include "bonding.enabledServices" .root | fromJsonArray -}}
{{- $wanted := concat .svc.calls .svc.internalCalls -}}
{{- if and .svc.verifiesTokens (ne .svc.name "identity") -}}{{- $wanted = append $wanted "identity" -}}{{- end -}}
{{- $targets := list -}}
{{- range $name := $wanted | uniq | sortAlpha -}}
{{- if and (has $name $enabled) (ne $name $.svc.name) -}}{{- $targets = append $targets $name -}}{{- end -}}
{{- end -}}
{{- toJson $targets -}}
{{- end -}}

{{/* The enabled services that send requests to this one: the inverse of bonding.serviceTargets. */}}
{{- define "bonding.serviceSources" -}}
{{- $sources := list -}}
{{- range $name := include "bonding.enabledServices" .root | fromJsonArray -}}
{{- $other := include "bonding.service" (dict "root" $.root "name" $name) | fromJson -}}
{{- if has $.svc.name (include "bonding.serviceTargets" (dict "root" $.root "svc" $other) | fromJsonArray) -}}
{{- $sources = append $sources $name -}}
{{- end -}}
{{- end -}}
{{- toJson $sources -}}
{{- end -}}

{{/* The enabled services this one signs requests to (its internal calls: commands; events are not signed). */}}
{{- define "bonding.signedPeers" -}}
{{- $enabled := include "bonding.enabledServices" .root | fromJsonArray -}}
{{- $peers := list -}}
{{- range $name := .svc.internalCalls | uniq | sortAlpha -}}
{{- if has $name $enabled -}}{{- $peers = append $peers $name -}}{{- end -}}
{{- end -}}
{{- toJson $peers -}}
{{- end -}}

{{/* Every enabled service that receives signed requests: each gets a generated HMAC secret. */}}
{{- define "bonding.signedReceivers" -}}
{{- $receivers := list -}}
{{- range $name := include "bonding.enabledServices" . | fromJsonArray -}}
{{- $svc := include "bonding.service" (dict "root" $ "name" $name) | fromJson -}}
{{- $receivers = concat $receivers (include "bonding.signedPeers" (dict "root" $ "svc" $svc) | fromJsonArray) -}}
{{- end -}}
{{- toJson ($receivers | uniq | sortAlpha) -}}
{{- end -}}
