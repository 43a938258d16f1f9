package io.treepo.schemas.codec;

import io.treepo.schemas.DeadLetter;
import io.treepo.schemas.LedgerEntry;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.MetricsRecord;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.ScoredTree;

/** One shared codec per contract record. */
public final class Codecs {
    public static final AvroCodec<Prompt> PROMPT = AvroCodec.of(Prompt.class);
    public static final AvroCodec<Leaf> LEAF = AvroCodec.of(Leaf.class);
    public static final AvroCodec<ScoredTree> SCORED_TREE = AvroCodec.of(ScoredTree.class);
    public static final AvroCodec<PolicyWeights> POLICY_WEIGHTS = AvroCodec.of(PolicyWeights.class);
    public static final AvroCodec<DeadLetter> DEAD_LETTER = AvroCodec.of(DeadLetter.class);
    public static final AvroCodec<MetricsRecord> METRICS = AvroCodec.of(MetricsRecord.class);
    public static final AvroCodec<LedgerEntry> LEDGER = AvroCodec.of(LedgerEntry.class);

    private Codecs() {}
}
