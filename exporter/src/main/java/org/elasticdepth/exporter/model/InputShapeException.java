package org.elasticdepth.exporter.model;

/** Images (or weights) whose size, channel count or shape do not match the model's {@link VitConfig}. */
public class InputShapeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InputShapeException(String message) {
        super(message);
    }
}
