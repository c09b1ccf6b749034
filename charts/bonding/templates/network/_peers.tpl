{{/* Egress to cluster DNS (UDP and TCP 53): every pod that resolves a name. */}}
{{- define "bonding.dnsEgress" -}}
- to:
    {{- toYaml .Values.networkPolicy.peers.dns | nindent 4 }}
  ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
{{- end -}}

{{/* A peer that selects one component of this release: (dict "root" $ "component" "identity"). */}}
{{- define "bonding.componentPeer" -}}
- podSelector:
    matchLabels:
      {{- include "bonding.selectorLabels" . | nindent 6 }}
{{- end -}}
