import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuUse, describeCpuUse, readCpu } from '../lib/cpu-use.js';

// A fixed amount of work (not a wall-clock spin, which a busy machine would make cheaper in CPU).
const WORK = 'let x = 0; for (let i = 0; i < 3e8; i++) x = (x + i) % 7919; console.log(x)';

describe('where the CPU went', () => {
  it("counts a running process's time under its name, and an ended worker's as the load generator's", async () => {
    const running = spawn(process.execPath, ['-e', WORK], { stdio: 'ignore' });
    const ended = new Promise((resolve) => running.once('exit', resolve));
    const before = readCpu({ worker: running.pid, gone: 999_999_999 });
    // The running one is read just before it exits; a second worker runs to its end between the readings.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const middle = readCpu({ worker: running.pid });
    spawnSync(process.execPath, ['-e', WORK]);
    await ended;
    const after = readCpu({});
    const busy = cpuUse(before, middle);
    expect(busy.cores.worker).toBeGreaterThan(0);
    expect(busy.cores.gone).toBeUndefined();
    const generator = cpuUse(middle, after);
    // Both workers have now ended and been waited for: their time is the bench's ended children's.
    expect(generator.cores['load generator']).toBeGreaterThan(0);
    expect(generator.machine).toBeGreaterThan(0);
    expect(describeCpuUse(busy)).toMatch(/^worker \d+\.\d\d, .*the rest \d+\.\d\d of \d+\.\d\d cores busy$/);
  });
});
