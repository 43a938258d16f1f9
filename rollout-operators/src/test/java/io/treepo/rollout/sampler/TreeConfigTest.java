package io.treepo.rollout.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TreeConfigTest {

    static Stream<Arguments> badOptions() {
        return Stream.of(
                Arguments.of((UnaryOperator<TreeConfig.Builder>) b -> b.segmentTokens(0), "segmentTokens must be >= 1, got 0"),
                Arguments.of((UnaryOperator<TreeConfig.Builder>) b -> b.maxDepth(0), "maxDepth must be >= 1, got 0"),
                Arguments.of((UnaryOperator<TreeConfig.Builder>) b -> b.width(0), "width must be >= 1, got 0"),
                Arguments.of((UnaryOperator<TreeConfig.Builder>) b -> b.branch(0), "branch must be >= 1, got 0"),
                Arguments.of((UnaryOperator<TreeConfig.Builder>) b -> b.firstDivergence(5, 3), "firstDivergence range is empty: [5, 3]"),
                Arguments.of((UnaryOperator<TreeConfig.Builder>) b -> b.width(4).firstDivergence(2, 8),
                        "firstDivergence upper bound 8 exceeds width 4"),
                Arguments.of((UnaryOperator<TreeConfig.Builder>) b -> b.divergence(null), "divergence is required"),
                Arguments.of((UnaryOperator<TreeConfig.Builder>) b -> b.fr3eStates(0), "fr3eStates must be >= 1, got 0"),
                Arguments.of((UnaryOperator<TreeConfig.Builder>) b -> b.kind(SamplerKind.FR3E).width(10).fr3eStates(3),
                        "width 10 must be a multiple of fr3eStates + 1 = 4 (rollouts per state)"),
                Arguments.of((UnaryOperator<TreeConfig.Builder>) b -> b.kind(SamplerKind.FR3E).width(4).fr3eStates(3),
                        "width 4 gives each of fr3eStates + 1 = 4 states fewer than 2 rollouts"));
    }

    @ParameterizedTest
    @MethodSource("badOptions")
    void rejectsBadOptionNamingIt(UnaryOperator<TreeConfig.Builder> change, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> change.apply(TreeConfig.builder()).build());
        assertEquals(message, e.getMessage());
    }

    @Test
    void toBuilderRoundTrips() {
        TreeConfig config = TreeConfig.builder().width(8).firstDivergence(2, 4).kind(SamplerKind.INDEPENDENT).build();
        assertEquals(config, config.toBuilder().build());
    }

    @Test
    void softmaxTemperatureMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DivergencePolicy.entropy(0));
        assertEquals("divergence.temperature must be a positive number, got 0.0", e.getMessage());
    }
}
