// The upstream files the chart and delivery checks validate against, pinned by SHA-256. Resolved by
// scripts/lib/upstream-fetch.ts from an offline copy, the cache (.cache/upstream) or the network.
// /work/shared/schemas/README.md (../shared/schemas beside a development checkout) names each file's
// source, commit, blob and licence (Apache-2.0 for all three repositories).
//
// To bump one: change the version/commit, fetch the file, put its `sha256sum` here; the test
// scripts/test/upstream-files.test.ts then checks the shared offline copy against it.
import { type Bundle, githubRaw, type PinnedFile, type Requirement } from './upstream-types.js';

/** Files of one upstream folder, kept under their own names. */
function filesIn(folder: string, hashes: Record<string, string>): PinnedFile[] {
  return Object.entries(hashes).map(([name, sha256]) => ({ name, path: `${folder}/${name}`, sha256 }));
}

const KONG_CONFIGURATION_CRD_DIR = 'config/crd/ingress-controller';

/** The 12 CRDs of the `ingress-controller` kustomization (its kustomization.yaml itself is not needed). */
const KONG_CONFIGURATION_CRDS: Record<string, string> = {
  'configuration.konghq.com_ingressclassparameterses.yaml':
    '739baffd5a4629631664d22d1b1824b0322e73d617d171616d806bf8b2e846f9',
  'configuration.konghq.com_kongclusterplugins.yaml':
    'baa95a88da36e9080e4304fbdbe13bded1776f294741f5c9093af38f2a5ac28a',
  'configuration.konghq.com_kongconsumergroups.yaml':
    'bb75e7697165dc135fc8146bcefc819b3852ff1027d1ea8c3fcd5845abbb4ed2',
  'configuration.konghq.com_kongconsumers.yaml':
    '51e7a5b719546ac19e58f07a61181203a0d9062871bdeac92613ccd882dadd6a',
  'configuration.konghq.com_kongcustomentities.yaml':
    '8a4fe1c360b1f3caacb1560e1558bd6cda02244b43ab0d204f81e4d33f77bca8',
  'configuration.konghq.com_kongingresses.yaml':
    'f0129fe5c6b43446634eb9d1204a07fdc8e01894480466da37faed4aed6e1702',
  'configuration.konghq.com_konglicenses.yaml':
    '251a2239100f61e5a6f9d0eb67d493e8631868deef43533f5763969db85b57f0',
  'configuration.konghq.com_kongplugins.yaml':
    '78946cd2093bec4c2d336e967a53f26a4f09e6e2294ea5497bcc369f947223e8',
  'configuration.konghq.com_kongupstreampolicies.yaml':
    '2fe6e170cfaff0d305d369b113511e28d9805c2e64b6deebf9624be050e747d5',
  'configuration.konghq.com_kongvaults.yaml':
    'c83db00fccacc752fd7b9724a9316de944cb6b5285388dcc835bba88954522d6',
  'configuration.konghq.com_tcpingresses.yaml':
    '26ceccc944475ea2b879d046c53cbe33726b5b556440947ddaf8ead80e987d22',
  'configuration.konghq.com_udpingresses.yaml':
    '07405e3aaf26b969db47b08137957045c2900264bee1850c764240302f30302a',
};

// Two bundles hold the same 12 CRDs (KongPlugin, KongClusterPlugin, KongConsumer, …, all
// kubernetes-configuration v1.5.2): the Go module's files, which a registry serves, and the Kong chart's single
// file, which only GitHub does (and which ../shared/schemas keeps). Kong's release re-serialises them, so the
// bytes differ, but the kubeconform schemas chart-schemas.ts builds from either are identical: checked
// file by file (all 12 kinds, both Kubernetes versions) when these hashes were pinned.
const kongModuleBundle: Bundle = {
  label: `Go module github.com/kong/kubernetes-configuration v1.5.2, ${KONG_CONFIGURATION_CRD_DIR}/ (12 files)`,
  files: filesIn(KONG_CONFIGURATION_CRD_DIR, KONG_CONFIGURATION_CRDS),
  origins: [{ kind: 'go-module', module: 'github.com/kong/kubernetes-configuration', version: 'v1.5.2' }],
};

const kongChartBundle: Bundle = {
  label: 'Kong/charts charts/kong/crds/custom-resource-definitions.yaml at e76b800 (one file)',
  files: [
    {
      name: 'kong-crds.yaml',
      path: 'charts/kong/crds/custom-resource-definitions.yaml',
      sha256: 'dd6ee9e39a881c9c12d779a960ed66b3420be7c71ae72d925bcd7167ccbadd03',
    },
  ],
  origins: [githubRaw('Kong/charts', 'e76b80031abfb4909dd89a8a07e3a5ff9a206d94')],
};

export const KONG_CRDS: Requirement = {
  title: 'Kong CRDs',
  folder: 'crds',
  offlineEnv: { name: 'BONDING_CRDS_DIR', holds: 'folder' },
  // The module first: a registry is preferred when fetching.
  bundles: [kongModuleBundle, kongChartBundle],
};

const PROMETHEUS_OPERATOR_CRD_DIR = 'example/prometheus-operator-crd';

export const PROMETHEUS_OPERATOR_CRDS: Requirement = {
  title: 'Prometheus-operator CRDs',
  folder: 'crds',
  offlineEnv: { name: 'BONDING_CRDS_DIR', holds: 'folder' },
  bundles: [
    {
      label: `prometheus-operator v0.93.0, ${PROMETHEUS_OPERATOR_CRD_DIR}/ (ServiceMonitor, PodMonitor, PrometheusRule)`,
      files: filesIn(PROMETHEUS_OPERATOR_CRD_DIR, {
        'monitoring.coreos.com_servicemonitors.yaml':
          'a99047972c9dd7679ce2050b9968e8a08773492e671b3e17abd476d42aa78a32',
        'monitoring.coreos.com_podmonitors.yaml':
          '45a93443daa687d3654f7e9631909ff7edcdf3ec09c5e60251b74aa2722aee5d',
        'monitoring.coreos.com_prometheusrules.yaml':
          '78be98554b9c8506ab2b4f4feb91c5f3a56e536a0a510f3a8e876a459970d56d',
      }),
      origins: [
        {
          kind: 'go-module',
          module: 'github.com/prometheus-operator/prometheus-operator',
          version: 'v0.93.0',
        },
        // main at 0.93.0; the three files are the same as in the tag.
        githubRaw('prometheus-operator/prometheus-operator', '6adcebc5076c34f4f55f8f5f7b1e528929373ac7'),
      ],
    },
  ],
};

/** The CRDs kubeconform's custom-resource schemas are built from (chart-schemas.ts). */
export const CRD_REQUIREMENTS = [KONG_CRDS, PROMETHEUS_OPERATOR_CRDS];

export const SKAFFOLD_SCHEMA: Requirement = {
  title: 'skaffold schema v4beta14',
  folder: 'skaffold',
  offlineEnv: { name: 'BONDING_SKAFFOLD_SCHEMA', holds: 'file' },
  bundles: [
    {
      label: 'skaffold v2.24.0 docs-v2/content/en/schemas/v4beta14.json',
      files: [
        {
          name: 'v4beta14.json',
          path: 'docs-v2/content/en/schemas/v4beta14.json',
          sha256: '7c29a621995d2c6143d3c423c8e3d3dfb25703a49fd1cf77644b54168414b39e',
        },
      ],
      origins: [
        { kind: 'go-module', module: 'github.com/GoogleContainerTools/skaffold/v2', version: 'v2.24.0' },
        // main after v2.24.0; the file is the same as in the tag.
        githubRaw('GoogleContainerTools/skaffold', '359a940c1b26e9aecfad508c1e87a679ec86e49b'),
      ],
    },
  ],
};
