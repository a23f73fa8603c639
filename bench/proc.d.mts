// Types of bench/proc.mjs.

/** User + system CPU time of the whole process (every thread), in milliseconds. */
export function cpuMs(pid: number): number;
/** Resident set size now and its peak since start (or since resetPeak), in bytes. */
export function memory(pid: number): { rss: number; peak: number };
/** Resets the process's peak RSS (VmHWM) to its current RSS. False where the kernel does not allow it. */
export function resetPeak(pid: number): boolean;
/** The machine's CPU time since boot, in milliseconds summed over every core: busy and total. */
export function machineCpuMs(): { busy: number; total: number };
