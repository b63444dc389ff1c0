// Cache keys for rating history. A user's entries carry their version and the global epoch, so a write bumps
// one key instead of hunting down every cached page; bulk imports bump the epoch.
export const RATINGS_EPOCH_KEY = "ratings:epoch";
export const ratingsVersionKey = (userId: number) => `ratings:ver:${userId}`;
export const ratingsEntryKey = (userId: number, epoch: number, version: number, variant: string) => `ratings:v1:${userId}:${epoch}:${version}:${variant}`;
