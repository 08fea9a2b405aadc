// Feedback on long waits: an animated line on a terminal, plain lines otherwise (CI logs stay
// readable: no carriage returns, no escape codes).
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Spinner {
  /** Change the text; off a terminal it is printed as a new line. */
  update(text: string): void;
  /** Stop; `final` (if any) is printed as a line of its own. */
  stop(final?: string): void;
}

export interface SpinnerOptions {
  stream?: NodeJS.WriteStream;
  /** Off a terminal, print the text at start (default true); false for waits that only matter on a terminal. */
  plainStart?: boolean;
}

export function startSpinner(text: string, o: SpinnerOptions = {}): Spinner {
  const stream = o.stream ?? process.stdout;
  const started = Date.now();
  if (!stream.isTTY) {
    if (o.plainStart ?? true) stream.write(`${text}\n`);
    return {
      update(t) {
        if (t !== text) stream.write(`${t}\n`);
        text = t;
      },
      stop(final) {
        if (final) stream.write(`${final}\n`);
      },
    };
  }
  let frame = 0;
  const draw = () => {
    const secs = Math.floor((Date.now() - started) / 1000);
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text}${secs ? ` (${secs}s)` : ''}`);
  };
  draw();
  const timer = setInterval(draw, 100);
  return {
    update(t) {
      text = t;
    },
    stop(final) {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
      if (final) stream.write(`${final}\n`);
    },
  };
}

/** Runs `work` with a spinner showing `text`; the final line says how long it took. */
export async function withSpinner<T>(text: string, work: () => Promise<T>, o: SpinnerOptions & { done?: (value: T, seconds: number) => string | undefined } = {}): Promise<T> {
  const started = Date.now();
  const spinner = startSpinner(text, o);
  try {
    const value = await work();
    spinner.stop(o.done?.(value, (Date.now() - started) / 1000));
    return value;
  } catch (err) {
    spinner.stop();
    throw err;
  }
}
