/**
 * The one number parser of the command line: every numeric flag of every command goes
 * through it, so `--masters 0x3`, `--slaves 1e1`, `--slaves 3.0` or `--slaves ' 3'` are
 * refused alike (Number() would read them as 3, 10, 3 and 3). A whole number is decimal
 * digits only; a decimal number may have a fraction (`12.5`), never an exponent, a sign,
 * a hexadecimal prefix or spaces.
 */

/** A flag value that is not a number of the expected form or range; the message names the flag. */
export class NumberFlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NumberFlagError';
  }
}

const WHOLE_RE = /^\d{1,9}$/;
const DECIMAL_RE = /^\d{1,9}(\.\d{1,6})?$/;

export interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
  /** The lower bound is exclusive (`--minutes` above 0). */
  readonly aboveMin?: boolean;
}

function bounded(flag: string, value: string, n: number, kind: string, bounds: NumberBounds): number {
  const { min, max, aboveMin } = bounds;
  const range =
    min !== undefined && max !== undefined
      ? `${aboveMin ? 'above' : 'from'} ${min} ${aboveMin ? 'and at most' : 'to'} ${max}`
      : min !== undefined
        ? `${aboveMin ? 'above' : 'of at least'} ${min}`
        : max !== undefined
          ? `of at most ${max}`
          : '';
  const tooLow = min !== undefined && (aboveMin ? n <= min : n < min);
  const tooHigh = max !== undefined && n > max;
  if (tooLow || tooHigh) throw new NumberFlagError(`${flag}: must be ${kind} ${range}, got '${value}'`);
  return n;
}

/** A whole number in decimal digits (`3`, `10`), optionally within bounds; throws NumberFlagError naming `flag`. */
export function parseWholeNumber(flag: string, value: string, bounds: NumberBounds = {}): number {
  if (!WHOLE_RE.test(value)) throw new NumberFlagError(`${flag}: must be a whole number written in decimal digits, got '${value}'`);
  return bounded(flag, value, Number(value), 'a whole number', bounds);
}

/** A decimal number (`12`, `12.5`), optionally within bounds; throws NumberFlagError naming `flag`. */
export function parseDecimal(flag: string, value: string, bounds: NumberBounds = {}): number {
  if (!DECIMAL_RE.test(value))
    throw new NumberFlagError(`${flag}: must be a number written in decimal digits (such as 12 or 12.5), got '${value}'`);
  return bounded(flag, value, Number(value), 'a number', bounds);
}
