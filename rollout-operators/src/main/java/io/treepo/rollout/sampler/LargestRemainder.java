package io.treepo.rollout.sampler;

/** Hamilton's method: integer shares of a total in proportion to weights, summing exactly to it. */
final class LargestRemainder {
    private LargestRemainder() {}

    /** @param weights non-negative, summing to 1 */
    static int[] split(int total, double[] weights) {
        int n = weights.length;
        int[] counts = new int[n];
        double[] remainders = new double[n];
        int given = 0;
        for (int i = 0; i < n; i++) {
            double quota = weights[i] * total;
            counts[i] = (int) Math.floor(quota);
            remainders[i] = quota - counts[i];
            given += counts[i];
        }
        for (int left = total - given; left > 0; left--) {
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (remainders[i] > remainders[best]) {
                    best = i;
                }
            }
            counts[best]++;
            remainders[best] = Double.NEGATIVE_INFINITY;
        }
        return counts;
    }
}
