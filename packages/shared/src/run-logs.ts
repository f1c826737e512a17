/** A program run keeps this many lines of stdout and stderr together (oldest dropped first). */
export const RUN_LOG_MAX_LINES = 5000;
/** A longer line is cut here (and marked), so a run's logs stay under RUN_LOG_MAX_LINES × this. */
export const RUN_LOG_MAX_LINE_BYTES = 2048;
