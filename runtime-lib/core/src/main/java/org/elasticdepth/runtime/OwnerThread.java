package org.elasticdepth.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The one thread on which a classifier creates, runs and closes its graphs (the GPU delegate's
 * rule), and the hand-over of work to it from any thread. A task submitted from the owner thread
 * itself runs at once: queueing behind itself would deadlock.
 */
final class OwnerThread {
  private final ExecutorService executor;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final String closedMessage;
  private volatile Thread thread;

  OwnerThread(String name, String closedMessage) {
    this.closedMessage = closedMessage;
    executor = Executors.newSingleThreadExecutor(task -> {
      Thread t = new Thread(task, name);
      t.setDaemon(true); // a forgotten classifier must not keep the process alive
      thread = t;
      return t;
    });
  }

  /** Runs {@code task} on the owner thread. @throws IllegalStateException once {@link #close} began */
  <T> CompletableFuture<T> submit(Supplier<T> task) {
    if (closed.get()) {
      throw new IllegalStateException(closedMessage);
    }
    if (Thread.currentThread() == thread) {
      CompletableFuture<T> done = new CompletableFuture<>();
      try {
        done.complete(task.get());
      } catch (RuntimeException | Error e) {
        done.completeExceptionally(e);
      }
      return done;
    }
    try {
      return CompletableFuture.supplyAsync(task, executor);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException(closedMessage, e);
    }
  }

  /** {@link #submit} and wait, rethrowing the task's own exception. */
  <T> T call(Supplier<T> task) {
    try {
      return submit(task).join();
    } catch (CompletionException e) {
      throw unwrapped(e.getCause(), "classifier task failed: ");
    }
  }

  /**
   * Once only: runs {@code last} after the calls already queued (on the owner thread, without
   * giving up on an interrupt), then stops the thread. Returns false if already closed.
   */
  boolean close(Runnable last) {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    try {
      if (Thread.currentThread() == thread) {
        last.run();
      } else {
        awaitUninterruptibly(executor.submit(last));
      }
    } finally {
      executor.shutdown();
    }
    return true;
  }

  private static void awaitUninterruptibly(Future<?> future) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          future.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          throw unwrapped(e.getCause(), "closing failed: ");
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static RuntimeException unwrapped(Throwable cause, String prefix) {
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new ElasticRuntimeException(prefix + cause, cause);
  }
}
