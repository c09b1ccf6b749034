{{/*
Secret data whose generated values survive `helm upgrade`: keys already in the cluster are read back with
lookup and kept; only missing keys get a new random value. (`helm template` and --dry-run cannot read the
cluster, so they show fresh values, which is harmless: nothing is applied.)
(dict "root" $ "name" <secret name> "keys" (list "password" ...))
*/}}
{{- define "bonding.preservedSecretData" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .name | default dict -}}
{{- $data := get $existing "data" | default dict -}}
{{- range $key := .keys }}
{{ $key }}: {{ get $data $key | default (randAlphaNum 32 | b64enc) | quote }}
{{- end -}}
{{- end -}}

{{/*
The public keys to publish at Kong, as JSON {kid: PEM}. From the operator's key Secret when the chart can
read it (install/upgrade), which also proves that every kid has both halves; otherwise from
jwt.publicKeys (offline renders).
*/}}
{{- define "bonding.jwtPublicKeys" -}}
{{- $keys := dict -}}
{{- $secret := lookup "v1" "Secret" .Release.Namespace .Values.jwt.existingSecret | default dict -}}
{{- $data := get $secret "data" | default dict -}}
{{- if $data -}}
{{- range $file, $value := $data -}}
{{- if hasSuffix ".pem" $file -}}
{{- $kid := trimSuffix ".pem" $file -}}
{{- if not (hasKey $data (printf "%s.pub" $kid)) -}}
{{- fail (printf "jwt.existingSecret %s has %s but not %s.pub: add the public half (openssl pkey -in %s -pubout -out %s.pub)" $.Values.jwt.existingSecret $file $kid $file $kid) -}}
{{- end -}}
{{- $_ := set $keys $kid (b64dec (get $data (printf "%s.pub" $kid))) -}}
{{- else if hasSuffix ".pub" $file -}}
{{- if not (hasKey $data (printf "%s.pem" (trimSuffix ".pub" $file))) -}}
{{- fail (printf "jwt.existingSecret %s has %s but no private key %s.pem" $.Values.jwt.existingSecret $file (trimSuffix ".pub" $file)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if not $keys -}}
{{- fail (printf "jwt.existingSecret %s holds no <kid>.pem / <kid>.pub pair" .Values.jwt.existingSecret) -}}
{{- end -}}
{{- else -}}
{{- $keys = .Values.jwt.publicKeys -}}
{{- end -}}
{{- range $kid, $pem := $keys -}}
{{- if not (regexMatch "^[A-Za-z0-9._-]{1,64}$" $kid) -}}
{{- fail (printf "jwt: kid %q must match [A-Za-z0-9._-]{1,64} (identity's rule for key file names)" $kid) -}}
{{- end -}}
{{- if not (contains "-----BEGIN PUBLIC KEY-----" $pem) -}}
{{- fail (printf "jwt: the public key of kid %s is not a PEM public key (-----BEGIN PUBLIC KEY-----)" $kid) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.jwt.activeKid $keys (not (hasKey $keys .Values.jwt.activeKid)) -}}
{{- fail (printf "jwt.activeKid %s is not among the published kids %s" .Values.jwt.activeKid (keys $keys | sortAlpha | join ", ")) -}}
{{- end -}}
{{- toJson $keys -}}
{{- end -}}
