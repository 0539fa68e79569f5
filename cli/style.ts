/**
 * Colour for what the CLI writes to a terminal: on when the stream is a TTY and NO_COLOR
 * is unset or empty (https://no-color.org), and TERM is not `dumb`. Never when piped.
 */

/** The colours of the output: the identity when colour is off. */
export interface Style {
  readonly on: boolean;
  readonly green: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

function sgr(on: boolean, open: number, close: number): (text: string) => string {
  return on ? (text) => `\x1b[${open}m${text}\x1b[${close}m` : (text) => text;
}

/** Whether to colour a stream that is (or is not) a terminal, in this environment. */
export function colourOn(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

export function styleOf(on: boolean): Style {
  return {
    on,
    green: sgr(on, 32, 39),
    red: sgr(on, 31, 39),
    yellow: sgr(on, 33, 39),
    dim: sgr(on, 2, 22),
    bold: sgr(on, 1, 22),
  };
}
