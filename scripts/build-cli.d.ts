// Types of scripts/build-cli.js (plain JavaScript: it runs before any TypeScript is compiled).
/** The key of the sources under <root>/src as they are now. */
export function sourceKey(root?: string, files?: string[]): string;
/** The compiled CLI entry for these sources, or undefined when they have not been built. */
export function builtEntry(root?: string, key?: string): string | undefined;
/** Compiles the sources unless already built; returns the compiled CLI entry. */
export function build(root?: string): Promise<string>;
