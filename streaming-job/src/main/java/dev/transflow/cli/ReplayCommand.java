package dev.transflow.cli;

import dev.transflow.model.feature.CsvFormatException;
import dev.transflow.model.feature.GenericCsvReader;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.replay.BadRows;
import dev.transflow.replay.Replayer;
import dev.transflow.replay.TenrecReader;
import dev.transflow.schemas.EntityType;
import dev.transflow.topic.EventProducer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code transflow replay}: labeled interaction logs to Kafka as impressions and clicks, in event-time order. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Read labeled interaction logs of the source and target domains and produce them to Kafka as "
                + "impression and click events, merged in event-time order.",
                "Formats: generic (the generic CSV format, see the README) and tenrec (Tenrec's QK-video.csv / "
                + "QK-article.csv: source = video, target = article, label = like).",
                "Bad rows are reported with file and line and counted; a file without a valid row is an error."})
final class ReplayCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--source", paramLabel = "FILE", description = "Source-domain (product / video) log.")
    Path source;

    @Option(names = "--target", paramLabel = "FILE", description = "Target-domain (post / article) log.")
    Path target;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true, description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "generic",
            description = "generic or tenrec (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--speedup", paramLabel = "X", defaultValue = "0",
            description = "Event-time seconds per wall-clock second; 0 = as fast as possible (default).")
    double speedup;

    @Option(names = "--click-delay", paramLabel = "DURATION", defaultValue = "2s",
            description = "Click time after its impression for rows labeled 1 (default: ${DEFAULT-VALUE}).")
    Duration clickDelay;

    @Option(names = "--id-prefix", paramLabel = "TEXT", defaultValue = "replay",
            description = "Prefix of impression ids; change it to replay the same files twice (default: ${DEFAULT-VALUE}).")
    String idPrefix;

    @Option(names = "--tenrec-label", paramLabel = "COLUMN", defaultValue = "like",
            description = "Tenrec outcome column used as the label (default: ${DEFAULT-VALUE}).")
    String tenrecLabel;

    @Option(names = "--tenrec-start", paramLabel = "EPOCH_MS", defaultValue = "1767225600000",
            description = "Event time of each Tenrec file's first row (default: ${DEFAULT-VALUE}, 2026-01-01).")
    long tenrecStart;

    @Option(names = "--tenrec-span", paramLabel = "DURATION", defaultValue = "7d",
            description = "Event time from the first to the last row of each Tenrec file (default: ${DEFAULT-VALUE}).")
    Duration tenrecSpan;

    @Option(names = "--map", paramLabel = "COLUMN=GROUP.NAME",
            description = "Tenrec: put COLUMN into a feature group, e.g. --map category_second=shared.category or "
                    + "--map read_count=specific.read_count#num (repeatable). Unmapped columns become specific.<column>.")
    List<String> mappings = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "COLUMN", description = "Tenrec: drop COLUMN (repeatable).")
    List<String> excluded = new ArrayList<>();

    @Override
    public Integer call() {
        if (source == null && target == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Give --source, --target or both");
        }
        if (!format.equals("generic") && !format.equals("tenrec")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be generic or tenrec, got '"
                    + format + "'");
        }
        Map<String, String> mapping = new LinkedHashMap<>();
        for (String m : mappings) {
            int eq = m.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--map '" + m
                        + "' is not of the form COLUMN=GROUP.NAME");
            }
            mapping.put(m.substring(0, eq).trim(), m.substring(eq + 1).trim());
        }
        PrintWriter err = spec.commandLine().getErr();
        BadRows badRows = new BadRows(err, 100);
        TenrecReader.Options tenrec = new TenrecReader.Options(tenrecLabel, tenrecStart, tenrecSpan, mapping,
                new HashSet<>(excluded));
        List<Replayer.Input> inputs = new ArrayList<>();
        try {
            if (source != null) {
                inputs.add(new Replayer.Input(EntityType.PRODUCT, source.toString(), read(source, tenrec, badRows)));
            }
            if (target != null) {
                inputs.add(new Replayer.Input(EntityType.POST, target.toString(), read(target, tenrec, badRows)));
            }
        } catch (CsvFormatException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        Replayer.Summary summary;
        try (ShutdownSignal stop = new ShutdownSignal("replay");
                EventProducer producer = new EventProducer(bootstrap)) {
            summary = new Replayer(producer, clickDelay, speedup, idPrefix).replay(inputs, badRows, stop);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(summary.format() + "; bad rows: " + badRows.count());
        out.flush();
        return 0;
    }

    private List<InteractionRow> read(Path file, TenrecReader.Options tenrec, BadRows badRows) {
        return format.equals("tenrec")
                ? TenrecReader.read(file, tenrec, badRows)
                : GenericCsvReader.readAll(file, badRows);
    }
}
