/**
 * The policy: a small decoder-only transformer on DJL/PyTorch, decoding segments for a tree
 * sampler and training on their tokens. No Flink here.
 *
 * <p>Sampling (one decoder per operator thread; nodes are the tree, the decoder keeps the keys and
 * values of each node and shares them between branches):
 *
 * <pre>{@code
 * Tokenizer tokenizer = new ByteTokenizer();
 * try (DjlSegmentDecoder decoder = DjlSegmentDecoder.create(DecoderConfig.defaults(), tokenizer, weights, version)) {
 *     PrefixNode root = PrefixNode.root(tokenizer.encodePrompt(prompt));
 *     List<DecodedSegment> out = decoder.decode(
 *             List.of(new DecodeRequest(root, 64), new DecodeRequest(root, 64)), SamplingConfig.standard(), seed);
 *     // extend out.get(i).node() in the next round; release nodes nothing will extend any more
 *     decoder.installWeights(newerWeights, version + 1); // clears the cache
 * }
 * }</pre>
 *
 * <p>Training (one trainer per JVM: DJL allows one gradient collector at a time):
 *
 * <pre>{@code
 * try (PolicyTrainer trainer = PolicyTrainer.create(weights, TrainerConfig.defaults(), tokenizer, "auto")) {
 *     StepResult r = trainer.step(sequences, logProbs -> ppoLoss(logProbs)); // logProbs: (B, T) with gradients
 *     EncodedWeights next = trainer.weights(); // config + payload + SHA-256, for the weights topic
 *     byte[] state = trainer.snapshot();       // model + optimiser, for a checkpoint
 * }
 * }</pre>
 *
 * <p>Hugging Face checkpoints: {@link SafeTensorsDirectory} reads and writes {@code model.safetensors}
 * (or its shards and index) as float32 arrays; {@link HuggingFaceTokenizer} wraps a
 * {@code tokenizer.json} with the model's EOS ids and its ChatML or plain prompt template, built from
 * a directory or from {@link TokenizerFiles} an operator carries.
 *
 * <p>Start-up: always {@code -Dai.djl.offline=true}. {@code ai.djl.pytorch.num_threads} is read
 * once; on a machine whose cores other processes also use, one thread is much faster than two
 * (PyTorch's worker threads wait on each other when a core is taken away).
 * {@link Devices#limitIntraOpThreads} changes the pool later, unless that property is set.
 */
package io.treepo.policy;
