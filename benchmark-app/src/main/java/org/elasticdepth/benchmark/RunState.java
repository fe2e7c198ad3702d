package org.elasticdepth.benchmark;

import java.io.File;

/**
 * What the screen shows about the current run, as one immutable snapshot; the {@link
 * BenchmarkViewModel} replaces it on the main thread.
 *
 * @param stage the suite's current step in words, e.g. "CPU 2 threads: depth 3"
 * @param notes things worth knowing that did not stop the run (e.g. samples skipped), or the error
 * @param summary the result in a few lines, once finished
 * @param output the result file, once written
 */
public record RunState(Phase phase, String stage, int step, int totalSteps, String notes, String summary, File output) {
  public enum Phase {
    IDLE,
    RUNNING,
    FINISHED,
    FAILED,
    CANCELLED
  }

  public static final RunState IDLE = new RunState(Phase.IDLE, "", 0, 1, "", "", null);

  public boolean running() {
    return phase == Phase.RUNNING;
  }

  /** Whether a started run has ended, one way or the other. */
  public boolean ended() {
    return phase == Phase.FINISHED || phase == Phase.FAILED || phase == Phase.CANCELLED;
  }

  RunState withProgress(String stage, int step, int totalSteps) {
    return new RunState(Phase.RUNNING, stage, step, Math.max(1, totalSteps), notes, summary, output);
  }

  RunState withNote(String note) {
    return new RunState(phase, stage, step, totalSteps, notes.isEmpty() ? note : notes + "\n" + note, summary, output);
  }

  static RunState started() {
    return new RunState(Phase.RUNNING, "starting", 0, 1, "", "", null);
  }

  RunState finished(String summary, File output) {
    return new RunState(Phase.FINISHED, "done", totalSteps, totalSteps, notes, summary, output);
  }

  RunState failed(String error) {
    return new RunState(Phase.FAILED, "failed", step, totalSteps, notes.isEmpty() ? error : notes + "\n" + error, summary,
        output);
  }

  RunState cancelled() {
    return new RunState(Phase.CANCELLED, "cancelled", step, totalSteps, notes, summary, output);
  }
}
