package io.treepo.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Ragged per-sequence figures as a (B, T) array laid out like {@code TokenLogProbs}: right-padded with 0. */
public final class PaddedRows {
    private PaddedRows() {}

    /** @param width T, the longest response of the batch (the trainer's mask width) */
    public static NDArray of(NDManager manager, float[][] rows, int width) {
        float[] flat = new float[rows.length * width];
        for (int b = 0; b < rows.length; b++) {
            if (rows[b].length > width) {
                throw new IllegalArgumentException("row " + b + " has " + rows[b].length + " values, more than width " + width);
            }
            System.arraycopy(rows[b], 0, flat, b * width, rows[b].length);
        }
        return manager.create(flat, new Shape(rows.length, width));
    }
}
