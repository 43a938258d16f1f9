package io.treepo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.ModelFiles;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.TrainerConfig;
import io.treepo.rollout.sampler.SamplerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code treepo compare --seeds 2} as a user runs it, every run a few seconds of a random tiny policy:
 * what it learns does not matter here, the shape of the report does.
 */
class CompareITCase {

    @Test
    void twoSeedsOfEverySamplerLeaveTheirRunsAndAComparisonWithMeanAndSpread(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.defaults(), new ByteTokenizer(), "cpu", 3)) {
            ModelFiles.save(model, new ModelFiles.Model(trainer.weights(), null));
        }
        Path report = dir.resolve("report");
        CommandLineTest.Run run = CommandLineTest.run("compare", "--seeds", "2", "--seed", "5", "--minutes", "0.05", "--web-port", "0",
                "--model", model.toString(), "--report-dir", report.toString(), "--task", "echo", "--width", "4", "--fr3e-states", "1", "--segment-tokens", "4",
                "--max-response-tokens", "12", "--trees-per-step", "2", "--eval-prompts", "4", "--eval-every", "5");

        assertEquals(0, run.exitCode(), run.err());
        for (SamplerKind kind : SamplerKind.values()) {
            for (String seed : List.of("seed-5", "seed-6")) {
                Path runDir = report.resolve(kind.label()).resolve(seed);
                assertThat(runDir.resolve("metrics.csv")).as("each run's own report").exists();
                assertThat(runDir.resolve("heldout.csv")).exists();
            }
        }
        for (String file : List.of("comparison.txt", "comparison.json", "heldout_vs_tokens.png", "heldout_vs_time.png", "heldout_vs_step.png")) {
            assertThat(Files.size(report.resolve(file))).as(file).isPositive();
        }
        JsonNode json = new ObjectMapper().readTree(report.resolve("comparison.json").toFile());
        assertThat(json.get("seeds")).extracting(JsonNode::asLong).containsExactly(5L, 6L);
        for (SamplerKind kind : SamplerKind.values()) {
            JsonNode sampler = json.get("samplers").get(kind.label());
            assertThat(sampler.get("estimator").asText()).isEqualTo(LoopOptions.pairedEstimator(kind).name());
            assertThat(sampler.get("runs")).hasSize(2);
            for (String figure : List.of("finalAccuracy", "accuracyAtEqualSampledTokens", "accuracyAtEqualSeconds")) {
                JsonNode spread = sampler.get(figure);
                assertThat(spread.get("n").asInt()).as(figure).isEqualTo(2);
                assertThat(spread.get("mean").asDouble()).as(figure).isBetween(0.0, 1.0);
                assertThat(spread.get("min").asDouble()).as(figure).isLessThanOrEqualTo(spread.get("max").asDouble());
                assertThat(spread.get("std").isNumber()).as(figure + " std").isTrue();
            }
        }
        assertThat(Files.readString(report.resolve("comparison.txt"))).contains("held-out accuracy over 2 seed(s), mean ± standard deviation [min..max]");
    }
}
