// What a result depends on: the machine, and the memory of each process measured.
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

export interface MemoryUse {
  /** Resident set now, in MB (10^6 bytes, as the targets are stated). */
  rssMB: number;
  /** The highest resident set so far, in MB. */
  peakMB: number;
}

/** From /proc (Linux): VmRSS and VmHWM of one process. */
export function memoryOf(pid: number): MemoryUse | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMB: (kib('VmRSS') * 1024) / 1e6, peakMB: (kib('VmHWM') * 1024) / 1e6 };
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  loadAverage: string;
  node: string;
  platform: string;
}

export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAverage: loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}
