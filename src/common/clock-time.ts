/** "2026-12-02 11:05:10 UTC" from an ISO time: what the Web UI's details show instead of a frozen elapsed figure. */
export const clockTime = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
