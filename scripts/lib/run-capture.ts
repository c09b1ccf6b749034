// Running the tools the checks use: capturing a command's stdout, or running an installer quietly.
import { spawn } from 'node:child_process';
import { repoRoot } from './paths.js';

export function runCapture(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) => reject(new Error(`${command}: ${error.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(new Error(`${command.split('/').at(-1)} ${args[0]} failed (exit code ${code})`));
    });
  });
}

/** Runs a command quietly; its output is shown only when it fails (go and pip are chatty). */
export function runQuiet(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', (error) => reject(new Error(`${command}: ${error.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve();
      else {
        process.stderr.write(Buffer.concat(output));
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      }
    });
  });
}
