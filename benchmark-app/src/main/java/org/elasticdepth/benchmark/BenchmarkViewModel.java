package org.elasticdepth.benchmark;

import android.os.Handler;
import android.os.Looper;
import android.util.Log;
import androidx.lifecycle.ViewModel;
import java.io.File;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;

/**
 * Runs {@link BenchmarkJob}s on a background thread and keeps the {@link RunState} the screen
 * shows. It outlives the activity across rotation, so a run is neither restarted nor lost; it ends
 * the run (interrupts its thread) only when the screen is gone for good.
 *
 * <p>Thread rules: call every method on the main thread; the observer is called there too.
 */
public final class BenchmarkViewModel extends ViewModel {
  static final String TAG = "EDBenchmark";

  private final Handler main = new Handler(Looper.getMainLooper());
  private RunState state = RunState.IDLE;
  private Consumer<RunState> observer;
  private Thread thread;
  private boolean finishWhenDone;

  public RunState state() {
    return state;
  }

  /** Whether the screen should close once the current run ends (headless runs that asked for it). */
  public boolean finishWhenDone() {
    return finishWhenDone;
  }

  /** Replaces the observer (null to detach) and tells it the current state at once. */
  public void observe(Consumer<RunState> observer) {
    this.observer = observer;
    if (observer != null) {
      observer.accept(state);
    }
  }

  /**
   * Starts {@code job}'s run on a new background thread.
   *
   * @param finishWhenDone whether the screen should close when the run ends
   * @throws IllegalStateException if a run is still going
   */
  public void start(JobFactory job, boolean finishWhenDone) {
    if (state.running()) {
      throw new IllegalStateException("a benchmark is already running");
    }
    this.finishWhenDone = finishWhenDone;
    publish(RunState.started());
    thread = new Thread(job.create(new Relay()), "benchmark-suite");
    thread.start();
  }

  /** Asks the running suite to stop after its current inference; the state becomes CANCELLED. */
  public void cancel() {
    if (thread != null) {
      thread.interrupt();
    }
  }

  @Override
  protected void onCleared() {
    cancel();
    observer = null;
  }

  private void publish(RunState next) {
    state = next;
    if (observer != null) {
      observer.accept(next);
    }
  }

  /** Posts one change of state to the main thread. */
  private void post(UnaryOperator<RunState> change) {
    main.post(() -> publish(change.apply(state)));
  }

  /** Builds the job once the view model has its listener. */
  @FunctionalInterface
  public interface JobFactory {
    Runnable create(BenchmarkJob.Listener listener);
  }

  /** The job's events, hopped onto the main thread and logged for headless runs. */
  private final class Relay implements BenchmarkJob.Listener {
    @Override
    public void onProgress(String executor, String stage, int step, int totalSteps) {
      String text = executor.isEmpty() ? stage : executor + ": " + stage;
      Log.i(TAG, "[" + step + "/" + totalSteps + "] " + text);
      post(s -> s.withProgress(text, step, totalSteps));
    }

    @Override
    public void onNote(String note) {
      Log.w(TAG, note);
      post(s -> s.withNote(note));
    }

    @Override
    public void onFinished(BenchmarkResult result, File file) {
      String summary = ResultSummary.format(result);
      // A stable line device farms can wait for and parse: the result's path on the device.
      Log.i(TAG, "RESULT " + file.getAbsolutePath());
      Log.i(TAG, summary);
      post(s -> s.finished(summary, file));
    }

    @Override
    public void onFailed(String error, Throwable cause) {
      Log.e(TAG, "FAILED " + error, cause);
      post(s -> s.failed(error));
    }

    @Override
    public void onCancelled() {
      Log.w(TAG, "CANCELLED");
      post(RunState::cancelled);
    }
  }
}
