package org.elasticdepth.exporter.train;

import java.io.IOException;

/** A checkpoint that is missing, truncated, corrupt, or does not fit the run's model. */
public class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
