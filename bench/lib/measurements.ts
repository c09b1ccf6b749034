// What one bench run collected, in the shape the targets and the report read.
import type { LoadResult } from '../load/scenario.js';
import type { CpuUse } from './cpu-use.js';
import type { MachineInfo } from './machine.js';

export type Route = 'edge' | 'direct' | 'baseline';

export interface LoadMeasurement {
  id: string;
  /** What a reader sees, e.g. `GET /students/me`. */
  endpoint: string;
  route: Route;
  /** What differs from the shipped configuration, if anything (e.g. `tracing off`). */
  variant: string;
  result: LoadResult;
}

export interface ProcessMeasurement {
  service: string;
  /** How it was started and with which settings, e.g. `tsx, tracing on`. */
  variant: string;
  readyMs: number;
  idleRssMB: number;
  /** Highest RSS over the run (after the load); undefined when it took no load. */
  peakRssMB?: number;
}

export interface BenchRun {
  startedAt: Date;
  quick: boolean;
  machine: MachineInfo;
  commands: string[];
  profile: string[];
  loads: LoadMeasurement[];
  processes: ProcessMeasurement[];
  notes: string[];
  /** Close of business for one business date over the bench's book of daily-interest loans. */
  closeOfBusiness?: { loans: number; seconds: number; loansPerSecond: number; failures: number };
  /** Cores each process used during a load run (the transfer runs), to show what bounds it. */
  cpu?: { id: string; use: CpuUse }[];
  /** Database statements per transfer (all services' databases), against the baseline's transaction. */
  databaseWork?: {
    baselineStatements: number;
    /** Until the events it caused were delivered. */
    serviceStatements: number;
    /** While the load ran (the rest: delivering its events afterwards). */
    serviceStatementsDuringLoad: number;
    /** The ledger's own database user: the transfer, its idempotency record and its outbox row (#23: ≤ 12). */
    ledgerStatements: number;
    /** Each other service's database user, until the transfer's events were applied. */
    consumerStatements: Record<string, number>;
  };
}

export function findLoad(run: BenchRun, id: string): LoadMeasurement | undefined {
  return run.loads.find((load) => load.id === id);
}
