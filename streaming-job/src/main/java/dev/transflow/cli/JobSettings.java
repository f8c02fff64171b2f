package dev.transflow.cli;

import dev.transflow.config.ConfigFile;
import dev.transflow.config.KeyValue;
import dev.transflow.config.OptionCatalogue;
import dev.transflow.config.OptionTable;
import dev.transflow.model.registry.OptionValues;

import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Job settings on the command line: a YAML file ({@code --config}) and {@code --set key=value} over it, for any
 * Transflow option ({@link OptionCatalogue}), model hyper-parameter or Flink option, and {@code --list-options}.
 *
 * <p>Transflow keys are checked here, before a job is built: an unknown key fails with the closest known one,
 * a deprecated key is read as its current one, and every value is parsed and checked. Model hyper-parameters
 * ({@code model.*}, {@code transflow.model.*}) are checked by the model registry and passed on as given in the
 * configuration, where the trainers read them ({@link OptionCatalogue#modelSettings}); Flink's own keys are Flink's
 * to judge.
 */
final class JobSettings {

    private static final Logger LOG = LoggerFactory.getLogger(JobSettings.class);

    @Option(names = "--config", paramLabel = "FILE.yaml",
            description = "Read settings from a YAML file (nested or dotted keys, as Flink's config.yaml); "
                    + "--set wins over it.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Set a Transflow option (see --list-options) or any Flink option, e.g. "
                    + "--set transflow.trainer.batch-size=512 --set execution.checkpointing.interval=30s "
                    + "(repeatable).")
    List<String> settings = new ArrayList<>();

    @Option(names = "--list-options",
            description = "List Transflow's options with types, defaults and descriptions and exit (the same as "
                    + "'transflow config --print-defaults').")
    boolean listOptions;

    /**
     * The file's settings and the {@code --set} values over them, with Transflow keys checked and current and every
     * value read and checked. The checks across options wait for the job's whole configuration
     * ({@link OptionCatalogue#validate}): a job may lay these settings over defaults of its own.
     */
    Configuration configuration() {
        Map<String, String> map = settingsMap();
        Configuration config = Configuration.fromMap(map);
        OptionCatalogue.validateValues(config);
        validateModelSettings(OptionCatalogue.modelSettings(map));
        return config;
    }

    /** Model hyper-parameters are the model registry's to judge: unknown keys fail with the closest valid one. */
    private static void validateModelSettings(Map<String, String> modelSettings) {
        OptionValues.parse(modelSettings);
    }

    private Map<String, String> settingsMap() {
        Map<String, String> map = new LinkedHashMap<>();
        if (configFile != null) {
            ConfigFile.read(configFile).forEach((key, value) -> put(map, key, value, "in " + configFile));
        }
        for (String setting : settings) {
            KeyValue kv = KeyValue.parse(setting);
            put(map, kv.key(), kv.value(), "in --set");
        }
        return map;
    }

    /**
     * Puts {@code value} under the current spelling of {@code key}, so that a later setting wins whichever spelling
     * either uses (and a deprecated key cannot lose to a job's default under the current one).
     */
    private static void put(Map<String, String> map, String key, String value, String where) {
        String current;
        try {
            current = OptionCatalogue.canonicalKey(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (" + where + ")", e);
        }
        if (!current.equals(key)) {
            LOG.warn("Option key '{}' ({}) is deprecated; use '{}'", key, where, current);
        }
        map.put(current, value);
    }

    /** Every job option, then every model option (what --list-options and config --print-defaults print). */
    static String describe() {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        out.print(OptionTable.text());
        out.println();
        EvaluateCommand.printOptions(out);
        out.flush();
        return text.toString();
    }
}
