package dev.transflow.snapshot;

import dev.transflow.config.Validators;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.nio.file.Path;

/** {@code transflow.snapshot.*}: the snapshot store trainers publish to and the TEM job takes knowledge from. */
public final class SnapshotOptions {

    private SnapshotOptions() {}

    public static final String PREFIX = "transflow.snapshot.";

    public static final Validators VALIDATORS = new Validators();

    public static final ConfigOption<String> DIR = VALIDATORS.add(ConfigOptions.key(PREFIX + "dir").stringType()
            .defaultValue(Path.of(System.getProperty("user.home"), ".transflow", "snapshots").toString())
            .withDeprecatedKeys("snapshot.dir")
            .withDescription("Root of the snapshot store (a directory every job of the deployment can read). Trainers "
                    + "publish to it, and the TEM job takes an announced MEM version only from its place here, "
                    + "<transflow.snapshot.dir>/mem/v<version>: give the MEM and TEM jobs the same directory, "
                    + "writable by them alone."),
            value -> value.isBlank() ? "empty; it must name a directory" : null);

    public static final ConfigOption<Integer> RETAIN = VALIDATORS.add(ConfigOptions.key(PREFIX + "retain")
            .intType().defaultValue(5).withDeprecatedKeys("snapshot.retain")
            .withDescription("Published versions kept per model kind; older ones are deleted."),
            Validators.atLeast(1));

    public static int retain(Configuration config) {
        return VALIDATORS.get(config, RETAIN);
    }
}
