package dev.transflow.simulate;

import dev.transflow.model.feature.GenericCsvWriter;
import dev.transflow.schemas.EntityType;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes impressions as labeled rows of the generic CSV format: {@code DIR/source.csv} (products) and
 * {@code DIR/target.csv} (posts). The label is 1 when the user clicked, however late: the files are complete logs.
 */
public final class CsvSink implements EventSink {

    public static final String SOURCE_FILE = "source.csv";
    public static final String TARGET_FILE = "target.csv";

    private final World world;
    private final GenericCsvWriter source;
    private final GenericCsvWriter target;
    private final String[] categorical = new String[8];
    private final double[] numeric = new double[1];

    public CsvSink(World world, Path dir) {
        this.world = world;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create output directory " + dir, e);
        }
        source = new GenericCsvWriter(open(dir.resolve(SOURCE_FILE)), World.SOURCE_LAYOUT);
        target = new GenericCsvWriter(open(dir.resolve(TARGET_FILE)), World.TARGET_LAYOUT);
    }

    private static BufferedWriter open(Path file) {
        try {
            return new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8),
                    1 << 20);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    @Override
    public void accept(SimulatedImpression imp) {
        world.features(imp, categorical, numeric);
        GenericCsvWriter writer = imp.entityType == EntityType.PRODUCT ? source : target;
        writer.write(imp.time, World.userId(imp.user), World.itemId(imp.entityType, imp.item), imp.clicked ? 1 : 0,
                categorical, numeric);
    }

    @Override
    public void finish() {
        source.flush();
        target.flush();
    }

    @Override
    public void close() {
        try {
            source.close();
        } finally {
            target.close();
        }
    }
}
