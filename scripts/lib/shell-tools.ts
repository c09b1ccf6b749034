// The command-line tools the README's examples use (curl, jq), for the test that runs them: on PATH, else
// installed from the OS packages as root on Debian, else a clear error naming what to install.
import { aptInstall, cannotInstallPackages } from './os-packages.js';
import { which } from './processes.js';

export function ensureShellTools(tools: readonly string[]): void {
  const missing = () => tools.filter((tool) => !which(tool));
  if (missing().length === 0) return;
  const why = cannotInstallPackages();
  if (why || !aptInstall(missing(), () => missing().length === 0)) {
    throw new Error(
      `the README's examples need ${missing().join(' and ')} on PATH (e.g. sudo apt-get install ${missing().join(' ')})` +
        (why ? `; not installed here: ${why}` : ''),
    );
  }
}
