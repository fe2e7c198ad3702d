package org.elasticdepth.exporter.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Training progress on the console: a progress bar per epoch (loss, accuracy, ETA) when attached to a terminal,
 * otherwise a line every {@code logEvery} steps (so logs of background runs stay readable). Always a summary line
 * per epoch.
 */
public final class ConsoleProgress implements TrainingListener {
    private final PrintStream out;
    private final boolean bar;
    private final int logEvery;
    private ProgressBar progressBar;
    private int epoch;
    private int steps;
    private long epochStart;

    public ConsoleProgress(PrintStream out, boolean bar, int logEvery) {
        this.out = out;
        this.bar = bar;
        this.logEvery = Math.max(1, logEvery);
    }

    @Override
    public void message(String text) {
        out.println(text);
    }

    @Override
    public void epochStarted(int epoch, int epochs, int steps) {
        this.epoch = epoch;
        this.steps = steps;
        this.epochStart = System.nanoTime();
        if (bar) {
            progressBar = new ProgressBarBuilder().setTaskName("epoch " + epoch + "/" + epochs).setInitialMax(steps)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().build();
        }
    }

    @Override
    public void stepDone(int stepInEpoch, double meanLoss, double accuracy, float learningRate) {
        String stats = String.format(Locale.ROOT, "loss %.4f acc %.4f lr %.2e", meanLoss, accuracy, learningRate);
        if (progressBar != null) {
            progressBar.stepTo(stepInEpoch);
            progressBar.setExtraMessage(stats);
        } else if (stepInEpoch % logEvery == 0 || stepInEpoch == steps) {
            double elapsed = (System.nanoTime() - epochStart) / 1e9;
            double eta = elapsed / stepInEpoch * (steps - stepInEpoch);
            out.printf(Locale.ROOT, "epoch %d step %d/%d  %s  %.3f s/step  ETA %.0f s%n", epoch, stepInEpoch, steps,
                    stats, elapsed / stepInEpoch, eta);
        }
    }

    @Override
    public void epochDone(EpochMetrics m, int epochs) {
        if (progressBar != null) {
            progressBar.close();
            progressBar = null;
        }
        String layers = Arrays.stream(m.validationLayerAccuracy()).mapToObj(a -> String.format(Locale.ROOT, "%.3f", a))
                .reduce((a, b) -> a + " " + b).orElse("");
        out.printf(Locale.ROOT, "epoch %d/%d done in %.1f s: loss %.4f, train acc %.4f, validation acc by layer [%s]%n",
                m.epoch(), epochs, m.seconds(), m.trainLoss(), m.trainAccuracy(), layers);
    }
}
