import { readFileSync } from "node:fs";

/**
 * CPU seconds and RSS of one process from /proc (Linux), sampled through a run. /proc/<pid>/stat counts
 * every thread of the process (a JVM's GC and compiler threads, DuckDB's encoder threads), not its children.
 */
export class ProcWatch {
  readonly rss: { at: number; kb: number }[] = [];
  #cpuStart: number | undefined;
  #cpuLast = 0;
  #hwmKb = 0;
  constructor(
    readonly name: string,
    readonly pid: number,
  ) {}
  sample(): void {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime (fields 14 and 15 of stat), in clock ticks of 1/100 s.
      const cpu = (Number(fields[11]) + Number(fields[12])) / 100;
      this.#cpuStart ??= cpu;
      this.#cpuLast = cpu;
      const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
      const rss = /VmRSS:\s+(\d+)/.exec(status);
      if (rss) this.rss.push({ at: Date.now(), kb: Number(rss[1]) });
      // VmHWM is the kernel's own peak RSS: exact even between two samples.
      const hwm = /VmHWM:\s+(\d+)/.exec(status);
      if (hwm) this.#hwmKb = Math.max(this.#hwmKb, Number(hwm[1]));
    } catch {
      // The process ended; its last sample stands.
    }
  }
  /** CPU used between the first and the last sample (for processes that were running before the watch). */
  get cpuSeconds(): number {
    return this.#cpuLast - (this.#cpuStart ?? this.#cpuLast);
  }
  /** CPU used since the process started, as of the last sample (for processes the caller started). */
  get cpuSecondsTotal(): number {
    return this.#cpuLast;
  }
  /** Highest RSS among the samples (for processes that were running before the watch). */
  get peakMb(): number {
    return Math.max(0, ...this.rss.map((r) => r.kb)) / 1024;
  }
  /** The kernel's peak RSS since the process started (VmHWM), for processes the caller started. */
  get peakSinceStartMb(): number {
    return Math.max(this.#hwmKb, ...this.rss.map((r) => r.kb)) / 1024;
  }
  /** Mean RSS over the first and the last fifth of the samples: flat or growing. */
  get firstLastMb(): [number, number] {
    const n = Math.max(1, Math.floor(this.rss.length / 5));
    const mean = (xs: { kb: number }[]) => xs.reduce((a, r) => a + r.kb, 0) / Math.max(xs.length, 1) / 1024;
    return [mean(this.rss.slice(0, n)), mean(this.rss.slice(-n))];
  }
}
