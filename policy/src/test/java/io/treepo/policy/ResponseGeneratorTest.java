package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseGeneratorTest {
    private static final Tokenizer TOKENIZER = new ByteTokenizer();

    @Test
    void responsesEndAtEosOrTheLimitAndRepeatWithTheSeed() {
        List<String> prompts = List.of("1+1=", "2*3=", "9-4=", "8+8=", "7*7=");
        try (DjlSegmentDecoder decoder = DjlSegmentDecoderTest.decoder(1L << 30)) {
            ResponseGenerator generator = new ResponseGenerator(decoder, TOKENIZER, 2, 7);
            List<ResponseGenerator.Response> a = generator.generate(prompts, SamplingConfig.standard(), 30, 4);
            List<ResponseGenerator.Response> b = generator.generate(prompts, SamplingConfig.standard(), 30, 4);
            assertEquals(prompts.size(), a.size());
            for (int i = 0; i < a.size(); i++) {
                int[] tokens = a.get(i).tokens();
                assertTrue(a.get(i).endedWithEos() ? tokens[tokens.length - 1] == ByteTokenizer.EOS : tokens.length == 30);
                assertArrayEquals(tokens, b.get(i).tokens());
                assertEquals(TOKENIZER.decode(tokens), a.get(i).text());
            }
            assertEquals(0, decoder.counters().cacheBytes(), "finished responses release their nodes");
        }
    }

    @Test
    void greedyDecodingIsDeterministicAcrossBatchSizes() {
        List<String> prompts = List.of("12+3=", "4*5=", "6-1=");
        try (DjlSegmentDecoder decoder = DjlSegmentDecoderTest.decoder(1L << 30)) {
            List<ResponseGenerator.Response> one = new ResponseGenerator(decoder, TOKENIZER, 1, 5).generate(prompts, SamplingConfig.greedy(), 12, 0);
            List<ResponseGenerator.Response> all = new ResponseGenerator(decoder, TOKENIZER, 3, 64).generate(prompts, SamplingConfig.greedy(), 12, 9);
            for (int i = 0; i < prompts.size(); i++) assertArrayEquals(one.get(i).tokens(), all.get(i).tokens());
        }
    }
}
