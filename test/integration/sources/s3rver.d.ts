/** The part of s3rver (a JS package without types) the S3 source test uses. */
declare module 's3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface S3rverOptions {
    directory: string;
    silent?: boolean;
    address?: string;
    port?: number;
    configureBuckets?: { name: string; configs: (string | Buffer)[] }[];
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Creates the configured buckets without starting a server. */
    configureBuckets(): Promise<void>;
    /** A request handler for a server of our own. */
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    /** Starts s3rver's own HTTP server; resolves to its address. */
    run(): Promise<import('node:net').AddressInfo | string>;
    close(): Promise<void>;
  }
}
