package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelConfigTest {

    @Test
    void jsonRoundTrips() {
        for (ModelConfig c : new ModelConfig[] {ModelConfig.defaultSmall(), ModelConfig.tiny(), ModelConfig.medium(), ModelConfig.qwen3Tiny(),
                ModelConfig.steelTiny()}) {
            assertEquals(c, ModelConfig.fromJson(c.toJson()));
        }
    }

    @Test
    void mediumHasAboutThreeTimesTheDefaultsParametersAndItsHeadSize() {
        double ratio = (double) ModelConfig.medium().parameterCount() / ModelConfig.defaultSmall().parameterCount();
        assertEquals(3.0, ratio, 0.3);
        assertEquals(ModelConfig.defaultSmall().headDim(), ModelConfig.medium().headDim());
    }

    @Test
    void parameterCountIsTheSumOfTheParameterShapes() {
        for (ModelConfig c : new ModelConfig[] {ModelConfig.defaultSmall(), ModelConfig.qwen3Tiny(), ModelConfig.steelTiny()}) {
            long sum = TransformerModel.shapes(c).values().stream().mapToLong(s -> s.size()).sum();
            assertEquals(sum, c.parameterCount());
        }
    }

    @Test
    void aQwen25ConfigAsHuggingFaceWritesItIsRead() {
        String qwen25 = """
                {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643, "eos_token_id": 151643,
                 "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02, "intermediate_size": 4864,
                 "max_position_embeddings": 32768, "max_window_layers": 24, "model_type": "qwen2", "num_attention_heads": 14,
                 "num_hidden_layers": 24, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
                 "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.43.1",
                 "use_cache": true, "use_sliding_window": false, "vocab_size": 151936}""";
        ModelConfig c = ModelConfig.fromJson(qwen25);
        assertEquals(new ModelConfig(24, 896, 14, 2, 64, 4864, 151936, 32768, 1e6, 1e-6, true, true, false), c);
        assertEquals(494_032_768L, c.parameterCount()); // Qwen2.5-0.5B's published count
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"model_type\":\"qwen2\"|\"model_type\":\"llama\"|config.json: model_type 'llama' is not supported (supported: qwen2 for Qwen1.5, Qwen2 and Qwen2.5; qwen3)",
        "\"hidden_act\":\"silu\"|\"hidden_act\":\"gelu\"|config.json: hidden_act 'gelu' is not supported (only silu)",
        "\"rope_scaling\":null|\"rope_scaling\":{\"type\":\"yarn\"}|config.json: rope_scaling {\"type\":\"yarn\"} is not supported (only null)",
        "\"use_sliding_window\":false|\"use_sliding_window\":true|config.json: use_sliding_window true is not supported",
        "\"hidden_size\":32,|\"hidden_size\":\"wide\",|config.json: hidden_size must be an integer, got \"wide\"",
        "\"vocab_size\":259,||config.json: vocab_size is missing",
        "\"vocab_size\":259,|\"vocab_size\":259,\"FFN_type\":\"softmoe_v2\",\"n_experts\":6,|config.json: FFN_type 'softmoe_v2' is not supported (only softmoe_v3, Steel-LLM's Soft-MoE)",
        "\"vocab_size\":259,|\"vocab_size\":259,\"FFN_type\":\"softmoe_v3\",\"n_experts\":6,\"mlp_div_ratio\":4,|config.json: mlp_type is missing (only senet, the experts of Steel-LLM's Soft-MoE)",
        "\"vocab_size\":259,|\"vocab_size\":259,\"FFN_type\":\"softmoe_v3\",\"mlp_type\":\"senet\",\"mlp_div_ratio\":4,|config.json: n_experts is missing",
        "\"vocab_size\":259,|\"vocab_size\":259,\"FFN_type\":\"softmoe_v3\",\"mlp_type\":\"senet\",\"n_experts\":6,\"mlp_div_ratio\":128,|intermediate_size (64) / mlp_div_ratio (128) leaves the experts no width",
        "\"num_key_value_heads\":1|\"num_key_value_heads\":3|num_attention_heads (2) must be a multiple of num_key_value_heads (3)",
    })
    void unsupportedOrMalformedConfigsAreRefusedNamingTheField(String from, String to, String message) {
        String json = ModelConfig.tiny().toJson();
        if (!json.contains(from)) throw new AssertionError(json + " lacks " + from);
        String bad = json.replace(from, to == null ? "" : to);
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(bad)).getMessage());
    }

    @Test
    void steelLlmsConfigIsReadWithItsSoftMoe() {
        String steel = """
                {"architectures": ["Qwen2ForCausalLM"], "bos_token_id": 151643, "eos_token_id": 151645, "hidden_act": "silu",
                 "hidden_size": 1792, "intermediate_size": 1792, "max_position_embeddings": 32768, "model_type": "qwen2",
                 "num_attention_heads": 32, "num_hidden_layers": 18, "num_key_value_heads": 32, "rms_norm_eps": 1e-06,
                 "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": false, "use_sliding_window": false,
                 "vocab_size": 151936, "n_experts": 6, "mlp_div_ratio": 4, "FFN_type": "softmoe_v3", "mlp_type": "senet",
                 "slots_per_expert": 1}""";
        ModelConfig c = ModelConfig.fromJson(steel);
        assertEquals(new ModelConfig.SoftMoe(6, 1, 4), c.softMoe());
        assertEquals(448, c.expertIntermediate());
        assertEquals(c, ModelConfig.fromJson(c.toJson()));
        // Steel-LLM calls itself a 1.1B model: 18 layers of attention and six 448-wide SENet experts, two 151936 x 1792 embeddings
        assertEquals(1.12e9, c.parameterCount(), 0.01e9);
    }

    @Test
    void differencesNameTheHuggingFaceFields() {
        ModelConfig wider = ModelConfig.fromJson(ModelConfig.tiny().toJson().replace("\"num_hidden_layers\":2", "\"num_hidden_layers\":3"));
        assertEquals("num_hidden_layers 2 != 3", ModelConfig.tiny().differences(wider));
    }
}
