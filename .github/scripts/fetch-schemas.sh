#!/usr/bin/env bash
# The schemas `npm test` validates against offline (../shared/schemas on the development machines), fetched
# for CI from their source repositories at the commits the shared README names, and checked byte for byte
# by git blob id. Usage: fetch-schemas.sh <dir>  ->  <dir>/crds/*.yaml, <dir>/skaffold/v4beta14.json
set -euo pipefail
dir=${1:?usage: fetch-schemas.sh <dir>}
mkdir -p "$dir/crds" "$dir/skaffold"

kong=https://raw.githubusercontent.com/Kong/charts/e76b80031abfb4909dd89a8a07e3a5ff9a206d94
promop=https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/6adcebc5076c34f4f55f8f5f7b1e528929373ac7/example/prometheus-operator-crd
skaffold=https://raw.githubusercontent.com/GoogleContainerTools/skaffold/359a940c1b26e9aecfad508c1e87a679ec86e49b

# target  blob-id  url
while read -r target blob url; do
  curl --fail --silent --show-error --location --retry 3 --output "$dir/$target" "$url"
  actual=$(git hash-object "$dir/$target")
  if [[ "$actual" != "$blob" ]]; then
    echo "$target: blob $actual, expected $blob" >&2
    exit 1
  fi
  echo "$target ok ($blob)"
done <<LIST
crds/kong-crds.yaml dec06092dafc779a6214c65434ac80ee446a658a $kong/charts/kong/crds/custom-resource-definitions.yaml
crds/monitoring.coreos.com_servicemonitors.yaml f5736255990a0e152851fadb55f84d6fd0f91d87 $promop/monitoring.coreos.com_servicemonitors.yaml
crds/monitoring.coreos.com_podmonitors.yaml 5c1bde3d4a5f3131fd6c148ab933193b867173f2 $promop/monitoring.coreos.com_podmonitors.yaml
crds/monitoring.coreos.com_prometheusrules.yaml b423c3225b18489ca7bbc5091f38f7003c4bf3fc $promop/monitoring.coreos.com_prometheusrules.yaml
skaffold/v4beta14.json 67c70f6ac1f607d7012a51aa8e69468aae2ef4ce $skaffold/docs-v2/content/en/schemas/v4beta14.json
LIST
