// Where the CPU went during a load run: each process's user + system time from /proc/<pid>/stat, and the
// machine's busy time from /proc/stat, over the same interval, as cores used. On 2 cores the edge, the
// service, its events, MariaDB and the load generator share the machine; this shows which of them a
// throughput is bound by, in place of a guess. Linux only (elsewhere: nothing is recorded).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (`getconf CLK_TCK`; 100 on every Linux we run). */
const TICKS_PER_SECOND =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

interface CpuReading {
  at: number;
  /** Ticks of user + system time per named process (missing: gone, or not Linux). */
  processes: Record<string, number>;
  /** Busy ticks of the whole machine (all cores). */
  machine: number | undefined;
}

/** utime + stime of a process, or (`ended children`) cutime + cstime: its children that have exited. */
function processTicks(pid: number | 'self', which: 'own' | 'ended children' = 'own'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces) start at its closing parenthesis: utime,
    // stime, cutime, cstime are fields 14–17 of the line, 12–15 after the name and state.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const first = which === 'own' ? 11 : 13;
    return Number(fields[first]) + Number(fields[first + 1]);
  } catch {
    return undefined;
  }
}

function machineTicks(): number | undefined {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    const [, user, nice, system, , , irq, softirq, steal] = (cpu ?? '').trim().split(/\s+/).map(Number);
    return [user, nice, system, irq, softirq, steal].reduce<number>((sum, n) => sum + (n ?? 0), 0);
  } catch {
    return undefined;
  }
}

/**
 * The named processes' times now. The load generator is a worker process the bench starts and waits for
 * in each run, so once it has ended its time is the bench's ended children's.
 */
export function readCpu(pids: Record<string, number | undefined>): CpuReading {
  const processes: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const ticks = pid === undefined ? undefined : processTicks(pid);
    if (ticks !== undefined) processes[name] = ticks;
  }
  const generator = processTicks('self', 'ended children');
  if (generator !== undefined) processes['load generator'] = generator;
  return { at: performance.now(), processes, machine: machineTicks() };
}

export interface CpuUse {
  seconds: number;
  /** Cores each named process used on average (1 = one core all the time). */
  cores: Record<string, number>;
  /** Cores the whole machine used; what the named processes do not explain is everything else's. */
  machine: number | undefined;
}

export function cpuUse(before: CpuReading, after: CpuReading): CpuUse {
  const seconds = (after.at - before.at) / 1000;
  const cores: Record<string, number> = {};
  for (const [name, ticks] of Object.entries(after.processes)) {
    const start = before.processes[name];
    if (start !== undefined) cores[name] = (ticks - start) / TICKS_PER_SECOND / seconds;
  }
  const machine =
    before.machine !== undefined && after.machine !== undefined
      ? (after.machine - before.machine) / TICKS_PER_SECOND / seconds
      : undefined;
  return { seconds, cores, machine };
}

/** `ledger 0.95, gateway 0.42, …, the rest 0.20 of 1.97 cores busy`, busiest first. */
export function describeCpuUse(use: CpuUse): string {
  const named = Object.entries(use.cores).sort(([, a], [, b]) => b - a);
  const explained = named.reduce((sum, [, n]) => sum + n, 0);
  const parts = named.filter(([, n]) => n >= 0.005).map(([name, n]) => `${name} ${n.toFixed(2)}`);
  if (use.machine === undefined) return `${parts.join(', ')} cores`;
  const rest = Math.max(0, use.machine - explained);
  return `${[...parts, `the rest ${rest.toFixed(2)}`].join(', ')} of ${use.machine.toFixed(2)} cores busy`;
}
