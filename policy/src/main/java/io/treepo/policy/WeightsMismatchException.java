package io.treepo.policy;

/** Weights refused on load: the digest, the config or a parameter does not match what was expected. */
public final class WeightsMismatchException extends RuntimeException {
    public WeightsMismatchException(String message) {
        super(message);
    }
}
