/**
 * Verifiable tasks: problem generators with reference answers, answer extraction and rewards,
 * JSONL dataset readers. No Flink, no Kafka: the reward operator and the prompt source adapt these.
 *
 * <ul>
 *   <li>{@link io.treepo.tasks.Task}: the contract; {@link io.treepo.tasks.Tasks} finds one by name.
 *   <li>{@link io.treepo.tasks.ArithmeticTask}, {@link io.treepo.tasks.EchoTask}: synthetic tasks with
 *       worked solutions, split into train / held-out by {@link io.treepo.tasks.Splits}.
 *   <li>{@link io.treepo.tasks.DatasetTask} over records read by {@link io.treepo.tasks.JsonlDataset}.
 *   <li>{@link io.treepo.tasks.AnswerExtractor} finds a response's answer;
 *       {@link io.treepo.tasks.Answers} decides whether it equals the reference.
 * </ul>
 */
package io.treepo.tasks;
