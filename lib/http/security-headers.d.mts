export type HeaderEntry = { key: string; value: string };
export declare const securityHeaders: HeaderEntry[];
export declare const apiReferenceHeaders: HeaderEntry[];
export declare const clientSentryDsn: string;
