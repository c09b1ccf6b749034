// The services as their images run them: scripts/image-layout.sh (what the Dockerfile's build stage runs)
// lays out each image service's /app tree under .local/bench/image/, and each starts from its tree with the
// Dockerfile's WORKDIR, ENV and CMD (scripts/lib/image-layout.ts). The gateway has no image (Kong is the
// edge in Kubernetes): it runs as `npm start` runs it.
import { join } from 'node:path';
import { imageProcess, imageServices, layOutImage } from '../../scripts/lib/image-layout.js';
import { type Launcher, tsxLauncher } from './run-stack.js';
import { benchDir } from './stack.js';

const outDir = join(benchDir, 'image');

/** Lays out every image (seconds each) and returns how to start them. */
export async function imageLauncher(): Promise<Launcher> {
  const inImage = new Set(imageServices());
  for (const service of inImage) await layOutImage(service, outDir, '--prefer-offline');
  return {
    name: 'image build',
    args: (spec) =>
      inImage.has(spec.name) ? imageProcess(spec.name, outDir).nodeArgs : tsxLauncher.args(spec),
    cwd: (spec) => (inImage.has(spec.name) ? imageProcess(spec.name, outDir).cwd : undefined),
    env: (spec) => (inImage.has(spec.name) ? imageProcess(spec.name, outDir).env : {}),
    covers: (name) => inImage.has(name),
  };
}
