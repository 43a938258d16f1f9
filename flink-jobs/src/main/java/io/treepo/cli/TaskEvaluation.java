package io.treepo.cli;

import io.treepo.policy.ResponseGenerator;
import io.treepo.policy.SamplingConfig;
import io.treepo.policy.SegmentDecoder;
import io.treepo.policy.Tokenizer;
import io.treepo.tasks.Task;
import java.util.ArrayList;
import java.util.List;

/** Accuracy of a policy on a task's held-out problems: what {@code eval} reports and {@code pretrain} prints now and then. */
final class TaskEvaluation {

    /**
     * @param n problems
     * @param samples responses per problem
     * @param correct responses with reward 1
     * @param solved problems with at least one response of reward 1
     * @param answered responses in which an answer was found
     * @param meanTokens mean response length in tokens
     * @param styled responses whose task tells whether they work step by step ({@link Task#worked}): all of them on
     *     strategy-arithmetic, none elsewhere
     * @param worked responses that work step by step; the rest of {@code styled} answer at once
     * @param workedCorrect right responses among {@code worked}
     */
    record Result(int n, int samples, int correct, int solved, int answered, double meanTokens, int styled, int worked, int workedCorrect,
            double seconds, String example) {
        /** Share of responses that are right: pass@1. */
        double accuracy() {
            return n == 0 ? 0 : (double) correct / ((long) n * samples);
        }

        /** Share of problems with a right response among their {@code samples}: pass@samples. */
        double solvedShare() {
            return n == 0 ? 0 : (double) solved / n;
        }

        /** Share of worked responses among those whose task tells; NaN when the task does not. */
        double workedShare() {
            return styled == 0 ? Double.NaN : (double) worked / styled;
        }
    }

    private TaskEvaluation() {}

    /** One response per problem: see {@link #run(SegmentDecoder, Tokenizer, Task, int, int, long, SamplingConfig, int)}. */
    static Result run(SegmentDecoder decoder, Tokenizer tokenizer, Task task, int n, long seed, SamplingConfig sampling, int maxTokens) {
        return run(decoder, tokenizer, task, n, 1, seed, sampling, maxTokens);
    }

    /**
     * Held-out problems {@code seed, seed+1, ...}, {@code samples} responses each; the same seed
     * gives the same problems and samples.
     */
    static Result run(SegmentDecoder decoder, Tokenizer tokenizer, Task task, int n, int samples, long seed, SamplingConfig sampling,
            int maxTokens) {
        long start = System.nanoTime();
        List<Task.Problem> problems = new ArrayList<>(n);
        List<String> prompts = new ArrayList<>(n * samples);
        for (int i = 0; i < n; i++) {
            Task.Problem p = task.generate(seed + i, Task.Split.HELD_OUT);
            problems.add(p);
            for (int s = 0; s < samples; s++) prompts.add(p.prompt());
        }
        List<ResponseGenerator.Response> responses =
                new ResponseGenerator(decoder, tokenizer, 64, 64).generate(prompts, sampling, maxTokens, seed);
        int correct = 0;
        int solved = 0;
        int answered = 0;
        int styled = 0;
        int worked = 0;
        int workedCorrect = 0;
        long tokens = 0;
        for (int i = 0; i < n; i++) {
            boolean any = false;
            for (int s = 0; s < samples; s++) {
                ResponseGenerator.Response response = responses.get(i * samples + s);
                Task.Score score = task.score(response.text(), problems.get(i).reference());
                boolean right = score.reward() >= 1.0;
                if (right) {
                    correct++;
                    any = true;
                }
                Boolean isWorked = task.worked(response.text()).orElse(null);
                if (isWorked != null) {
                    styled++;
                    if (isWorked) {
                        worked++;
                        if (right) workedCorrect++;
                    }
                }
                if (score.hasAnswer()) answered++;
                tokens += response.tokens().length;
            }
            if (any) solved++;
        }
        String example = n == 0 ? "" : prompts.get(0) + responses.get(0).text();
        return new Result(n, samples, correct, solved, answered, n == 0 ? 0 : (double) tokens / ((long) n * samples), styled, worked, workedCorrect,
                (System.nanoTime() - start) / 1e9, example);
    }
}
