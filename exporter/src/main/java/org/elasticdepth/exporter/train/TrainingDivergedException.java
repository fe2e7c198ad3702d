package org.elasticdepth.exporter.train;

/** The loss became NaN or infinite; training stopped and the last good checkpoint was kept. */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
