// Cache keys for rating history. A user's entries carry their version and the global epoch, so a write raises
// one key instead of hunting down every cached page; bulk imports bump the epoch. Version 2 of both: a user's version
// is now `users.ratings_version` (lib/ratings/history.ts), which the numbers version 1 kept in the cache would pass.
export const RATINGS_EPOCH_KEY = "ratings:epoch";
export const ratingsVersionKey = (userId: number) => `ratings:ver2:${userId}`;
export const ratingsEntryKey = (userId: number, epoch: number, version: number, variant: string) => `ratings:v2:${userId}:${epoch}:${version}:${variant}`;
/** Which user a bare legacy uid names, with the epoch it was looked up in (lib/ratings/history.ts). */
export const legacyUidKey = (uid: string) => `legacy-uid:v2:${uid}`;
