/** Where a fetcher puts the bytes of a piece: written at `offset` into the partial file. */
export interface PieceSink {
  /** Writes `chunks` (total `length` bytes) at `offset`; resolves once they are in the file. */
  write(chunks: Buffer[], offset: number, length: number): Promise<void>;
  /** Counts bytes received from the source (including any later discarded). */
  received(bytes: number): void;
}
