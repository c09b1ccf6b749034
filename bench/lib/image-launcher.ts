// The services as their images run them: scripts/image-layout.sh (what the Dockerfile's build stage runs)
// lays out each image service's /app tree under .local/bench/image/, and each starts from its tree with the
// Dockerfile's WORKDIR, ENV and CMD (scripts/lib/image-layout.ts). The gateway has no image (Kong is the
// edge in Kubernetes): it runs as `npm start` runs it.
import { join } from 'node:path';
import { imageRuntime } from '../../scripts/lib/dockerfile.js';
import { imageProcess, imageServices, layOutImage } from '../../scripts/lib/image-layout.js';
import { type Launcher, tsxLauncher } from './run-stack.js';
import { benchDir } from './stack.js';

const outDir = join(benchDir, 'image');

/** Lays out every image (seconds each) and returns how to start them. */
export async function imageLauncher(): Promise<Launcher> {
  // The Dockerfile is read once: every start below uses the same CMD, WORKDIR and ENV.
  const runtime = imageRuntime();
  const images = new Map(imageServices().map((service) => [service, imageProcess(service, outDir, runtime)]));
  for (const service of images.keys()) await layOutImage(service, outDir, '--prefer-offline');
  return {
    name: 'image build',
    args: (spec) => images.get(spec.name)?.nodeArgs ?? tsxLauncher.args(spec),
    cwd: (spec) => images.get(spec.name)?.cwd,
    env: (spec) => images.get(spec.name)?.env ?? {},
    covers: (name) => images.has(name),
  };
}
