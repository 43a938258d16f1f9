package io.treepo.kafka;

import io.treepo.schemas.Prompt;
import io.treepo.tasks.DatasetRecord;
import io.treepo.tasks.JsonlFormat;
import io.treepo.tasks.Tasks;
import java.nio.file.Path;
import java.util.Map;

/** JSONL dataset records as prompts: id {@code <file name>:<line>}, task by the record's format. */
public final class DatasetPrompts {
    private DatasetPrompts() {}

    /** The task that scores a format's answers: plain prompt/answer lines are scored like GSM8K's numbers. */
    public static String taskOf(JsonlFormat format) {
        return format == JsonlFormat.MATH ? Tasks.MATH : Tasks.GSM8K;
    }

    public static Prompt toPrompt(DatasetRecord record) {
        String file = Path.of(record.source()).getFileName().toString();
        return Prompt.newBuilder()
                .setId(file + ":" + record.line())
                .setTask(taskOf(record.format()))
                .setText(record.prompt())
                .setReference(record.reference())
                .setCreatedAtMs(System.currentTimeMillis())
                .setMetadata(Map.of("source", record.source(), "line", Long.toString(record.line()), "format", record.format().name().toLowerCase()))
                .build();
    }
}
