// What the end-to-end scripts read of running processes, from Linux's /proc: who started whom,
// what runs, since when, and how much memory it holds. A process that has gone reads as empty.
import { readFileSync, readdirSync } from 'node:fs';

/** The fields of /proc/PID/stat after the command, which is in parentheses and may hold spaces
 * and parentheses itself: [0] is the state, [1] the parent, [19] the start time. */
function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch { return []; }
}

export function allPids() {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

export function parentOf(pid) {
  const fields = statFields(pid);
  return fields.length ? Number(fields[1]) : -1;
}

/** The process's arguments, the executable first ([] when it has gone). */
export function argsOf(pid) {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean); } catch { return []; }
}

export const commandOf = (pid) => argsOf(pid)[0] ?? '';

/** The processes `pid` started whose command names WebKit (its web and network processes). */
export function webkitChildren(pid) {
  return allPids().filter((p) => parentOf(p) === pid && /WebKit/.test(commandOf(p)));
}

/** PSS in kB of a process (0 when it has gone). */
export function pssKb(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch { return 0; }
}

/** When a process started, in ms since the epoch: its start in clock ticks after boot (USER_HZ,
 * 100 on Linux) placed on the wall clock through /proc/uptime, which has 10 ms resolution (the
 * boot time in /proc/stat has only whole seconds). */
export function startedAtMs(pid) {
  const ticks = Number(statFields(pid)[19]);
  const uptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Date.now() - uptimeS * 1000 + ticks * 10;
}
