/**
 * The clocks a benchmark can be timed with. `wall` (default, as Go) is elapsed real time. `cpu` is the process's
 * user + system CPU time (getrusage): it leaves out time spent descheduled, so on a shared, overloaded machine
 * (CI runners, laptops) it is far steadier — but it misses waiting (I/O, timers), so use it for CPU-bound code.
 */

/** Which clock times the batches. */
export type ClockKind = 'wall' | 'cpu';

/** Reads a clock in nanoseconds. */
export type Clock = () => bigint;

const wall: Clock = process.hrtime.bigint;
const cpu: Clock = () => {
  const usage = process.cpuUsage();
  return BigInt(usage.user + usage.system) * 1000n;
};

/** The clock function for `kind`. */
export function clockOf(kind: ClockKind): Clock {
  return kind === 'cpu' ? cpu : wall;
}
