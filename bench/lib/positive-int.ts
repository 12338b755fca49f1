/** A benchmark's `--name` option as a positive integer; anything else ends the run with exit code 2. */
export function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} must be a positive integer, got ${value}`);
    process.exit(2);
  }
  return n;
}
