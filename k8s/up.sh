#!/usr/bin/env bash
# The whole platform on a local kind cluster, from nothing to "answering through Kong on localhost:8080":
#
#   k8s/up.sh                 cluster, Kong, monitoring, tracing, signing key, images, charts/bonding
#   k8s/up.sh --infra-only    everything but the images and charts/bonding (then `skaffold dev`)
#   k8s/up.sh --skip-build    use images already loaded into the cluster (CI builds them first)
#
# Needs docker, kind, kubectl and helm 3. Safe to run again: every step is an install-or-upgrade.
# Environment: KIND_CLUSTER (default bonding), IMAGE_TAG (default dev), SERVICES (default: every deployable
# service folder), BONDING_VALUES (extra values file for charts/bonding), HELM_TIMEOUT (default 10m).
set -euo pipefail

# Chart versions, pinned; bump deliberately (and read each chart's upgrade notes).
KONG_CHART_VERSION=3.4.1                  # kong/kong: Kong Gateway 3.9 + Kong Ingress Controller 3.5
KUBE_PROMETHEUS_STACK_VERSION=79.12.0     # prometheus-community/kube-prometheus-stack
OTEL_COLLECTOR_CHART_VERSION=0.140.0      # open-telemetry/opentelemetry-collector

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
K8S="$ROOT/k8s"
CLUSTER=${KIND_CLUSTER:-bonding}
TAG=${IMAGE_TAG:-dev}
TIMEOUT=${HELM_TIMEOUT:-10m}
REGISTRY_PREFIX=ghcr.io/bonding-platform

infra_only=false
build=true
for arg in "$@"; do
  case "$arg" in
    --infra-only) infra_only=true ;;
    --skip-build) build=false ;;
    -h | --help)
      sed -n '2,12p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *)
      echo "unknown argument: $arg (see --help)" >&2
      exit 2
      ;;
  esac
done

log() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || {
      echo "k8s/up.sh needs $tool on PATH" >&2
      exit 1
    }
  done
}
need kind kubectl helm openssl
if $build && ! $infra_only; then need docker; fi

# Deployable services: every services/<name> with a src/main.ts, except the local-only gateway.
default_services() {
  local dir name
  for dir in "$ROOT"/services/*/; do
    name=$(basename "$dir")
    [[ "$name" == gateway ]] && continue
    [[ -f "$dir/src/main.ts" ]] && printf '%s ' "$name"
  done
}
read -r -a services <<<"${SERVICES:-$(default_services)}"

log "kind cluster '$CLUSTER'"
if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  echo "exists"
else
  kind create cluster --name "$CLUSTER" --config "$K8S/kind-config.yaml" --wait 120s
fi
kubectl config use-context "kind-$CLUSTER" >/dev/null
kubectl apply -f "$K8S/namespaces.yaml"

log "chart repositories"
helm repo add kong https://charts.konghq.com --force-update >/dev/null
helm repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update >/dev/null
helm repo add open-telemetry https://open-telemetry.github.io/opentelemetry-helm-charts --force-update >/dev/null
helm repo update kong prometheus-community open-telemetry >/dev/null

# First: its CRDs (ServiceMonitor, PrometheusRule) are what charts/bonding's monitoring objects need.
log "kube-prometheus-stack $KUBE_PROMETHEUS_STACK_VERSION (Prometheus, Grafana)"
helm upgrade --install kube-prometheus-stack prometheus-community/kube-prometheus-stack \
  --version "$KUBE_PROMETHEUS_STACK_VERSION" --namespace monitoring \
  --values "$K8S/values/kube-prometheus-stack.yaml" --wait --timeout "$TIMEOUT"

log "Jaeger and the OpenTelemetry Collector $OTEL_COLLECTOR_CHART_VERSION"
kubectl apply -f "$K8S/manifests/jaeger.yaml"
helm upgrade --install opentelemetry-collector open-telemetry/opentelemetry-collector \
  --version "$OTEL_COLLECTOR_CHART_VERSION" --namespace observability \
  --values "$K8S/values/opentelemetry-collector.yaml" --wait --timeout "$TIMEOUT"

log "Kong $KONG_CHART_VERSION (ingress controller, DB-less)"
helm upgrade --install kong kong/kong --version "$KONG_CHART_VERSION" --namespace kong \
  --values "$K8S/values/kong.yaml" --wait --timeout "$TIMEOUT"

# The dev signing key, exactly as the README's "Signing keys" documents it; created once, kept afterwards
# (identity's tokens stay valid across runs). The private key exists only in the Secret.
log "JWT signing key Secret bonding/bonding-jwt-keys"
if kubectl -n bonding get secret bonding-jwt-keys >/dev/null 2>&1; then
  echo "exists"
else
  keydir=$(mktemp -d)
  trap 'rm -rf "$keydir"' EXIT
  (
    cd "$keydir"
    KID=$(date -u +%Y-%m)
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KID.pem" 2>/dev/null
    openssl pkey -in "$KID.pem" -pubout -out "$KID.pub"
    kubectl -n bonding create secret generic bonding-jwt-keys --from-file="$KID.pem" --from-file="$KID.pub"
    shred -u "$KID.pem" 2>/dev/null || rm -f "$KID.pem"
  )
fi

if $infra_only; then
  log "infrastructure ready; now: skaffold dev (builds the images and installs charts/bonding)"
  exit 0
fi

if $build; then
  revision=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  # ${a[@]+"${a[@]}"}: an empty array is "unbound" under set -u before bash 4.4 (macOS ships 3.2).
  for service in ${services[@]+"${services[@]}"}; do
    log "image $REGISTRY_PREFIX/$service:$TAG"
    DOCKER_BUILDKIT=1 docker build "$ROOT" --build-arg "SERVICE=$service" \
      --build-arg "VERSION=$TAG" --build-arg "REVISION=$revision" -t "$REGISTRY_PREFIX/$service:$TAG"
    kind load docker-image --name "$CLUSTER" "$REGISTRY_PREFIX/$service:$TAG"
  done
fi

log "charts/bonding"
extra=()
if [[ -n "${BONDING_VALUES:-}" ]]; then extra+=(--values "$BONDING_VALUES"); fi
helm upgrade --install bonding "$ROOT/charts/bonding" --namespace bonding \
  --values "$K8S/values/bonding-kind.yaml" ${extra[@]+"${extra[@]}"} --set "image.tag=$TAG" \
  --wait --timeout "$TIMEOUT"
# A rebuilt image under the same tag is picked up only by new pods.
if $build; then
  kubectl -n bonding rollout restart deployment -l app.kubernetes.io/instance=bonding
  kubectl -n bonding rollout status deployment -l app.kubernetes.io/instance=bonding --timeout "$TIMEOUT"
fi

cat <<EOF

The platform answers through Kong at http://localhost:8080 (e.g. curl http://localhost:8080/.well-known/jwks.json).
  API reference:  http://localhost:8080/docs
  helm test:      helm test bonding -n bonding
  NATS:           kubectl -n bonding get statefulset bonding-nats (JetStream; docs/kubernetes.md, "NATS")
  first admin:    kubectl -n bonding get secret bonding-first-admin -o jsonpath='{.data.password}' | base64 -d
  Grafana:        kubectl -n monitoring port-forward svc/kube-prometheus-stack-grafana 3000:80
                  (admin / kubectl -n monitoring get secret kube-prometheus-stack-grafana -o jsonpath='{.data.admin-password}' | base64 -d)
  Jaeger:         kubectl -n observability port-forward svc/jaeger 16686
EOF
