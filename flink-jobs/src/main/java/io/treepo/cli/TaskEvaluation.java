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
     * @param correct responses with reward 1
     * @param answered responses in which an answer was found
     * @param meanTokens mean response length in tokens
     */
    record Result(int n, int correct, int answered, double meanTokens, double seconds, String example) {
        double accuracy() {
            return n == 0 ? 0 : (double) correct / n;
        }
    }

    private TaskEvaluation() {}

    /** Held-out problems {@code seed, seed+1, ...}; the same seed gives the same problems and samples. */
    static Result run(SegmentDecoder decoder, Tokenizer tokenizer, Task task, int n, long seed, SamplingConfig sampling, int maxTokens) {
        long start = System.nanoTime();
        List<Task.Problem> problems = new ArrayList<>(n);
        List<String> prompts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Task.Problem p = task.generate(seed + i, Task.Split.HELD_OUT);
            problems.add(p);
            prompts.add(p.prompt());
        }
        List<ResponseGenerator.Response> responses =
                new ResponseGenerator(decoder, tokenizer, 64, 64).generate(prompts, sampling, maxTokens, seed);
        int correct = 0;
        int answered = 0;
        long tokens = 0;
        for (int i = 0; i < n; i++) {
            Task.Score score = task.score(responses.get(i).text(), problems.get(i).reference());
            if (score.reward() >= 1.0) correct++;
            if (score.hasAnswer()) answered++;
            tokens += responses.get(i).tokens().length;
        }
        String example = n == 0 ? "" : prompts.get(0) + responses.get(0).text();
        return new Result(n, correct, answered, n == 0 ? 0 : (double) tokens / n, (System.nanoTime() - start) / 1e9, example);
    }
}
