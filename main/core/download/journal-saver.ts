/**
 * Saving the journal of a partial file while bytes arrive: the synced journal (fdatasync the part
 * file, then record its ranges) every `journalBytes` or `journalIntervalMs`, and the cheaper hot
 * journal (no sync, trusted on the same boot only) every `hotJournalBytes` or, when bytes arrive
 * slowly, once they waited `hotJournalIntervalMs` unrecorded. One save of each kind
 * runs at a time; requests made meanwhile coalesce into one more save.
 */
import type { FileHandle } from 'node:fs/promises';
import { writeHotJournal, writeJournal, type SourceValidator } from './journal';
import type { RangeSet } from './range-set';

export interface JournalSaverOptions {
  journalPath: string;
  sha256: string;
  size: number;
  journalBytes: number;
  hotJournalBytes: number;
  hotJournalIntervalMs: number;
  journalIntervalMs: number;
  now: () => number;
  /** What the part file holds now. */
  done: () => RangeSet;
  /** The validators (ETag, Last-Modified) of the sources the bytes came from. */
  validators: () => Record<string, SourceValidator>;
  /** The open part file; null when closed (nothing is saved then). */
  file: () => FileHandle | null;
}

export class JournalSaver {
  private unjournaled = 0;
  private unhot = 0;
  private saving: Promise<void> | null = null;
  /** A journal of either kind was written since this saver was made (it must be removed at the end). */
  wroteAny = false;
  private saveAgain = false;
  private savingHot: Promise<void> | null = null;
  private hotAgain = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** When the oldest bytes not in the hot journal were recorded (NaN: none waiting). */
  private unhotSince = Number.NaN;

  constructor(private readonly options: JournalSaverOptions) {}

  /** `bytes` more were written: saves a journal when enough have gathered. */
  recorded(bytes: number): void {
    this.unjournaled += bytes;
    this.unhot += bytes;
    const now = this.options.now();
    if (Number.isNaN(this.unhotSince)) this.unhotSince = now;
    if (this.unjournaled >= this.options.journalBytes) void this.save();
    else if (this.unhot >= this.options.hotJournalBytes || now - this.unhotSince >= this.options.hotJournalIntervalMs) void this.saveHot();
  }

  /** The part file's bytes were discarded: forget the counts and record that it is empty. */
  reset(): void {
    this.unjournaled = 0;
    this.unhot = 0;
    this.unhotSince = Number.NaN;
    void this.save();
  }

  /** Saves on a timer while bytes arrive slowly. */
  startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.unjournaled > 0) void this.save();
    }, this.options.journalIntervalMs);
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Syncs the part file, then records what it holds. */
  save(): Promise<void> {
    if (this.saving) {
      this.saveAgain = true;
      return this.saving;
    }
    const fh = this.options.file();
    if (!fh) return Promise.resolve();
    const { journalPath, sha256, size } = this.options;
    this.unjournaled = 0;
    this.wroteAny = true;
    const done = this.options.done().toJSON();
    void this.saveHot();
    const validators = this.options.validators();
    this.saving = (async () => {
      try {
        await fh.datasync();
        await writeJournal(journalPath, { sha256, size, done, validators });
      } catch {
        // A journal that cannot be written only costs re-fetching on a restart.
      }
    })().finally(() => {
      this.saving = null;
      if (this.saveAgain) {
        this.saveAgain = false;
        void this.save();
      }
    });
    return this.saving;
  }

  /** Records what the part file holds without syncing it (good for a restart on the same boot). */
  saveHot(): Promise<void> {
    if (this.savingHot) {
      this.hotAgain = true;
      return this.savingHot;
    }
    const { journalPath, sha256, size } = this.options;
    this.unhot = 0;
    this.unhotSince = Number.NaN;
    this.wroteAny = true;
    const written = this.options.done().toJSON();
    this.savingHot = writeHotJournal(journalPath, { sha256, size, written })
      .catch(() => undefined)
      .finally(() => {
        this.savingHot = null;
        if (this.hotAgain) {
          this.hotAgain = false;
          void this.saveHot();
        }
      });
    return this.savingHot;
  }

  /** Resolves once no save is running (including the ones requested meanwhile). */
  async idle(): Promise<void> {
    while (this.saving || this.savingHot) await (this.saving ?? this.savingHot);
  }
}
