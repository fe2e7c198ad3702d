package org.elasticdepth.exporter.train;

/** Receives training progress (a console progress bar, a log, or nothing in tests). */
public interface TrainingListener {
    TrainingListener SILENT = new TrainingListener() {
    };

    default void message(String text) {
    }

    default void epochStarted(int epoch, int epochs, int steps) {
    }

    /** After each step: running mean loss and accuracy of the epoch so far, and the step's learning rate. */
    default void stepDone(int stepInEpoch, double meanLoss, double accuracy, float learningRate) {
    }

    default void epochDone(EpochMetrics metrics, int epochs) {
    }
}
