// A PostgreSQL URL as it may be shown (its own module: no driver loaded to print a name).

/** The URL as it may be shown: no password, no query string. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
