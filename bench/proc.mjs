// What the kernel knows about a process, read from /proc (Linux only): CPU time, resident memory and its peak.
// Shared by the runner and the load generator; plain JavaScript so the load generator runs without a loader.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

let ticksPerSecond;

function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time of the whole process (every thread), in milliseconds; 10 ms resolution at CLK_TCK 100. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, so 11 and 12 after the state field (3).
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / clockTicks();
}

/** Resident set size now and its peak since start (or since resetPeak), in bytes. */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  };
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Resets the process's peak RSS (VmHWM) to its current RSS. False where the kernel does not allow it. */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * The machine's CPU time since boot from /proc/stat, in milliseconds summed over every core: busy in processes
 * (user, nice, system) or taken by the hypervisor (steal), and total (with idle, iowait, irq and softirq). Interrupt
 * time is left out of busy: loopback traffic is processed there and is not charged to the processes that cause it.
 */
export function machineCpuMs() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + (steal || 0);
  const scale = 1000 / clockTicks();
  return { busy: busy * scale, total: (busy + idle + iowait + irq + softirq) * scale };
}
