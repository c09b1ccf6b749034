// Runs a command and returns its stdout; stderr passes through, and a failure throws with the exit code.
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
