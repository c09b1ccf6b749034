{{/* Names, labels and images shared by every template. */}}

{{- define "bonding.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's name prefix: the release name, plus the chart name unless it already contains it. */}}
{{- define "bonding.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object; pass (dict "root" $ "component" "identity"). */}}
{{- define "bonding.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: bonding-platform
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "bonding.selectorLabels" . }}
{{- end -}}

{{/* Labels that select the pods of one component; never change them (selectors are immutable). */}}
{{- define "bonding.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bonding.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Labels of every pod of this release, for the default-deny NetworkPolicy. */}}
{{- define "bonding.releaseSelector" -}}
app.kubernetes.io/name: {{ include "bonding.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
An image reference from (dict "image" <service or component image values> "root" $ "name" <service>):
registry and repository fall back to the chart-wide image settings, the tag to the appVersion, and a
digest, when given, pins the image.
*/}}
{{- define "bonding.image" -}}
{{- $g := .root.Values.image -}}
{{- $registry := .image.registry | default $g.registry -}}
{{- $repository := .image.repository | default (printf "%s/%s" $g.repositoryPrefix .name) -}}
{{- $tag := .image.tag | default $g.tag | default .root.Chart.AppVersion -}}
{{- $ref := printf "%s/%s:%s" $registry $repository (toString $tag) -}}
{{- if .image.digest -}}{{- $ref = printf "%s@%s" $ref .image.digest -}}{{- end -}}
{{- $ref -}}
{{- end -}}

{{/* An image of a third-party component (MySQL, Redis): registry/repository:tag[@digest]. */}}
{{- define "bonding.componentImage" -}}
{{- $ref := printf "%s/%s:%s" .registry .repository (toString .tag) -}}
{{- if .digest -}}{{- $ref = printf "%s@%s" $ref .digest -}}{{- end -}}
{{- $ref -}}
{{- end -}}

{{/* Kubernetes object names must be lower-case DNS labels; kids may contain upper case and "_". */}}
{{- define "bonding.dnsName" -}}
{{- . | lower | replace "_" "-" | replace "." "-" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The Secret that carries a kid's Kong jwt credential. The readable part (bonding.dnsName) folds case, "_"
and "." into "-", so kids such as 2026_11, 2026.11 and 2026-11 would share it; the first 8 hex digits of
the kid's SHA-256 keep every kid's Secret apart. (dict "root" $ "kid" $kid)
*/}}
{{- define "bonding.jwtCredentialSecretName" -}}
{{- printf "%s-jwt-%s-%s" (include "bonding.fullname" .root) (include "bonding.dnsName" .kid) (sha256sum .kid | trunc 8) -}}
{{- end -}}

{{/*
What makes this release's Kong entities its own when several releases share one Kong: the consumer's
username and custom_id and every jwt credential key (identity's JWT_KID_PREFIX) start with
"<namespace>/<release>/", and cluster-scoped plugins are named "<namespace>-<fullname>-<key>". Kong
requires consumer usernames, custom_ids and jwt keys to be unique across the whole gateway.
*/}}
{{- define "bonding.edgeScope" -}}
{{- printf "%s/%s/" .Release.Namespace .Release.Name -}}
{{- end -}}
