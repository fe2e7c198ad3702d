package org.elasticdepth.exporter.train;

import java.util.List;

/**
 * Progress stored with each checkpoint ({@code state.json}).
 *
 * @param epochsCompleted epochs whose weights the checkpoint holds
 * @param steps           optimisation steps taken so far (drives the schedule and the aligned/CE alternation)
 * @param history         metrics of every completed epoch
 */
public record TrainingState(int epochsCompleted, long steps, List<EpochMetrics> history) {
    public TrainingState {
        history = List.copyOf(history);
    }
}
